import type { AppContext } from '../app/app-context';
import { endJob, heartbeatJob, startJob } from '../db/transitions/job-transitions';
import { getLogger } from '../logging/logger';
import { resolveSchedulerOptions } from '../scheduler/scheduler-options';
import { startHandRunHeartbeat } from './hand-run-heartbeat';

const log = getLogger('tasks-run');

/** The job row of one hand run (`dagctl tasks run`), heart-beaten until it ends. */
export interface HandRunJob {
  id: number;
  /**
   * Stops the heartbeat and records how the hand run ended (the first call only; later ones do
   * nothing). Never throws: a job row left running is found gone once its heartbeat is stale.
   */
  end(state: 'success' | 'failed'): Promise<void>;
}

/**
 * Registers a hand run as a `LocalTaskJob` (Airflow's name): a job row with this host and pid,
 * `running`, whose heartbeat is written every few seconds while the try runs. Its task instance
 * names it (`queued_by_job_id`), so a scheduler can tell a hand run that still goes on from one
 * whose process died (resetOrphanedTasks): no scheduler owns a hand-run try, and without this it
 * would stay `running` for ever. The beat comes at the scheduler's heartbeat interval, and at least
 * three times per `scheduler.zombie_threshold`, so a shortened threshold is not missed.
 *
 * The task runs on this process's event loop, so the beat comes from a thread of its own
 * (startHandRunHeartbeat), as Airflow's LocalTaskJob beats from a process apart from its task: a
 * task that blocks the loop (CPU-bound code) must not look like a dead hand run to a scheduler on
 * another host, which would run a second try beside it. The start and the end of the job are
 * written here.
 */
export async function startHandRunJob(ctx: AppContext): Promise<HandRunJob> {
  const ds = ctx.dataSource;
  const options = resolveSchedulerOptions(ctx.config);
  const intervalMs = Math.max(100, Math.min(options.heartbeatIntervalMs, options.zombieThresholdMs / 3));
  const id = await startJob(ds, 'LocalTaskJob', null, ctx.clock.now());
  const heartbeat = await startHandRunHeartbeat({
    databaseUrl: ctx.config.database.url,
    jobId: id,
    intervalMs,
    beatHere: () => heartbeatJob(ds, id, ctx.clock.now()),
  });
  let ended = false;
  return {
    id,
    end: async (state) => {
      if (ended) return;
      ended = true;
      await heartbeat.stop();
      await endJob(ds, id, state, ctx.clock.now()).catch((err: unknown) => {
        log.warn(`could not record the end of hand run job ${id}`, { err });
      });
    },
  };
}
