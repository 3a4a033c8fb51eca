import type { AppContext } from '../app/app-context';
import type { JobEntity } from '../db/entities';
import { isJobAlive } from '../db/transitions/job-transitions';
import { resolveSchedulerOptions } from '../scheduler/scheduler-options';

/** Whether a job row is a live process: running, and its heartbeat fresh (or its pid alive on this host). */
export function jobIsAlive(ctx: AppContext, job: JobEntity): boolean {
  if (job.state !== 'running') return false;
  const staleAfterMs = resolveSchedulerOptions(ctx.config).schedulerStaleAfterMs;
  return isJobAlive(
    { id: job.id, hostname: job.hostname, pid: job.pid, latestHeartbeat: job.latestHeartbeat },
    ctx.clock.now(),
    staleAfterMs,
  );
}
