import type { DataSource } from 'typeorm';
import { adoptsOrphans, type Executor } from '../core/executor';
import { finishRestart } from '../db/transitions/task-instance-transitions';
import type { ExistsCondition } from '../db/which-exist';
import { getLogger } from '../logging/logger';
import { idleTriesOfJob, moveEachTry } from './tries-of-job';

const log = getLogger('scheduler');

/** Whether finishRestartsNotRunning has anything to look at: restarting tries this job queued. */
export function restartingTriesOf(jobId: number): ExistsCondition {
  return { sql: `SELECT 1 FROM task_instance WHERE state = 'restarting' AND queued_by_job_id = ?`, params: [jobId] };
}

/**
 * Task instances this scheduler queued that were cleared while queued or running (restarting),
 * whose try its executor no longer has: the try never started (its claim was refused) or its end
 * was reported — either way none of its processes runs, so the task instance goes back to no state
 * and runs again. Tries that end while restarting are finished from their event; this catches
 * those that report nothing. Only for executors whose running tries are all in this process
 * (local, sequential); a bullmq try reports its end. Returns rows moved.
 */
export async function finishRestartsNotRunning(
  ds: DataSource,
  executor: Executor,
  jobId: number,
  now: Date,
): Promise<number> {
  if (adoptsOrphans(executor)) return 0;
  const idle = await idleTriesOfJob(ds, executor, { state: 'restarting', jobId });
  const moved = await moveEachTry(ds, idle, (m, t) => finishRestart(m, t.key, t.tryNumber, now));
  if (moved) log.info(`${moved} cleared task instances whose tries had ended run again`);
  return moved;
}
