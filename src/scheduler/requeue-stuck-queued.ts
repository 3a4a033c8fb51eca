import type { DataSource } from 'typeorm';
import { tiKeyString } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { requeueNeverStarted } from '../db/transitions/task-instance-transitions';
import type { Executor } from '../core/executor';
import { getLogger } from '../logging/logger';

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
  const cutoff = new Date(now.getTime() - timeoutMs).toISOString();
  const { records } = await execSql<{
    dag_id: string;
    run_id: string;
    task_id: string;
    map_index: number;
    try_number: number;
  }>(
    ds,
    `SELECT dag_id, run_id, task_id, map_index, try_number FROM task_instance
     WHERE state = 'queued' AND queued_by_job_id = ? AND queued_dttm < ?`,
    [jobId, cutoff],
  );
  if (!records.length) return 0;
  const known = new Set(executor.runningKeys().map((r) => `${tiKeyString(r.key)}#${r.tryNumber}`));
  const stuck = records
    .map((r) => ({
      key: { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: Number(r.map_index) },
      tryNumber: Number(r.try_number),
    }))
    .filter((r) => !known.has(`${tiKeyString(r.key)}#${r.tryNumber}`));
  if (!stuck.length) return 0;
  let moved = 0;
  await runInTransaction(ds, async (m) => {
    for (const s of stuck) moved += await requeueNeverStarted(m, s.key, s.tryNumber, now);
  });
  if (moved) log.warn(`re-queued ${moved} task instances stuck in queued for over ${Math.round(timeoutMs / 1000)}s`);
  return moved;
}
