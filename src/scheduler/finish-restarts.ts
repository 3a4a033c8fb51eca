import type { DataSource } from 'typeorm';
import { adoptsOrphans, type Executor } from '../core/executor';
import { tryKeyString } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { finishRestart } from '../db/transitions/task-instance-transitions';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

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
  const { records } = await execSql<{
    dag_id: string;
    run_id: string;
    task_id: string;
    map_index: number;
    try_number: number;
  }>(
    ds,
    `SELECT dag_id, run_id, task_id, map_index, try_number FROM task_instance
     WHERE state = 'restarting' AND queued_by_job_id = ?`,
    [jobId],
  );
  if (!records.length) return 0;
  const running = new Set(executor.runningKeys().map((r) => tryKeyString(r.key, r.tryNumber)));
  const idle = records
    .map((r) => ({
      key: { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: Number(r.map_index) },
      tryNumber: Number(r.try_number),
    }))
    .filter((r) => !running.has(tryKeyString(r.key, r.tryNumber)));
  if (!idle.length) return 0;
  let moved = 0;
  await runInTransaction(ds, async (m) => {
    for (const r of idle) moved += await finishRestart(m, r.key, r.tryNumber, now);
  });
  if (moved) log.info(`${moved} cleared task instances whose tries had ended run again`);
  return moved;
}
