import type { DataSource } from 'typeorm';
import { requeueNeverStarted } from '../db/transitions/task-instance-transitions';
import type { Executor } from '../core/executor';
import { getLogger } from '../logging/logger';
import { idleTriesOfJob, moveEachTry } from './tries-of-job';

const log = getLogger('scheduler');

/**
 * `scheduler.task_queued_timeout`: a try this scheduler queued that never started and that its
 * executor no longer knows about (lost on the way to a worker) goes back to `scheduled` with its
 * try given back, so it is sent again. Returns how many were re-queued.
 */
export async function requeueStuckQueued(
  ds: DataSource,
  executor: Executor,
  jobId: number,
  timeoutMs: number,
  now: Date,
): Promise<number> {
  const queuedBefore = new Date(now.getTime() - timeoutMs);
  const stuck = await idleTriesOfJob(ds, executor, { state: 'queued', jobId, queuedBefore });
  const moved = await moveEachTry(ds, stuck, (m, t) => requeueNeverStarted(m, t.key, t.tryNumber, now));
  if (moved) log.warn(`re-queued ${moved} task instances stuck in queued for over ${Math.round(timeoutMs / 1000)}s`);
  return moved;
}
