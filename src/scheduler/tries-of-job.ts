import type { DataSource, EntityManager } from 'typeorm';
import type { Executor } from '../core/executor';
import { tryKeyString, type TaskInstanceKey } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';

/** The columns of a task_instance row that name one try. */
export interface TryRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number | string;
  try_number: number | string;
}

/** One try of a task instance, as the transitions take it. */
export interface TryRef {
  key: TaskInstanceKey;
  tryNumber: number;
}

export function tryRefOf(row: TryRow): TryRef {
  return {
    key: { dagId: row.dag_id, runId: row.run_id, taskId: row.task_id, mapIndex: Number(row.map_index) },
    tryNumber: Number(row.try_number),
  };
}

export interface IdleTriesQuery {
  state: 'queued' | 'restarting';
  /** The scheduler job that queued them. */
  jobId: number;
  /** Only tries queued before this (`scheduler.task_queued_timeout`). */
  queuedBefore?: Date;
}

/**
 * The tries in a state that this scheduler queued and that its executor does not run (any more):
 * what the scheduler's own sweeps — stuck queued tries, restarts that reported nothing — act on.
 */
export async function idleTriesOfJob(ds: DataSource, executor: Executor, query: IdleTriesQuery): Promise<TryRef[]> {
  const { records } = await execSql<TryRow>(
    ds,
    `SELECT dag_id, run_id, task_id, map_index, try_number FROM task_instance
     WHERE state = ? AND queued_by_job_id = ?${query.queuedBefore ? ' AND queued_dttm < ?' : ''}`,
    [query.state, query.jobId, ...(query.queuedBefore ? [query.queuedBefore.toISOString()] : [])],
  );
  if (!records.length) return [];
  const running = new Set(executor.runningKeys().map((r) => tryKeyString(r.key, r.tryNumber)));
  return records.map(tryRefOf).filter((t) => !running.has(tryKeyString(t.key, t.tryNumber)));
}

/** One guarded transition applied to each try, all in one transaction; returns the rows moved. */
export async function moveEachTry<T extends TryRef>(
  ds: DataSource,
  tries: T[],
  transition: (m: EntityManager, t: T) => Promise<number>,
): Promise<number> {
  if (!tries.length) return 0;
  let moved = 0;
  await runInTransaction(ds, async (m) => {
    for (const t of tries) moved += await transition(m, t);
  });
  return moved;
}
