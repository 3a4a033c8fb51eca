import type { DataSource, EntityManager } from 'typeorm';
import { execSql, isPostgres } from '../db/sql';
import { type SlotUsage, taskActiveKey } from './deps/dep-context';

/** Queued and running tries: in all, pool slots used per pool, tries per DAG (and per task when read). */
export interface ActiveCounts {
  total: number;
  slotsByPool: Map<string, number>;
  tasksByDag: Map<string, number>;
  /** Per task (taskActiveKey), when the rows were grouped by task too; empty otherwise. */
  byTask: Map<string, number>;
}

export type PoolSlots = Map<string, number>;

/**
 * Fold `pool, dag_id[, task_id], n, slots` rows (queued and running task instances grouped) into
 * counts.
 */
export function activeCountsOf(
  rows: Array<{
    pool: string | null;
    dag_id: string | null;
    task_id?: string | null;
    n: number | string;
    slots: number | string;
  }>,
): ActiveCounts {
  const counts: ActiveCounts = { total: 0, slotsByPool: new Map(), tasksByDag: new Map(), byTask: new Map() };
  for (const r of rows) {
    if (r.pool === null || r.dag_id === null) continue;
    counts.total += Number(r.n);
    counts.slotsByPool.set(r.pool, (counts.slotsByPool.get(r.pool) ?? 0) + Number(r.slots));
    counts.tasksByDag.set(r.dag_id, (counts.tasksByDag.get(r.dag_id) ?? 0) + Number(r.n));
    if (r.task_id != null) {
      const key = taskActiveKey(r.dag_id, r.task_id);
      counts.byTask.set(key, (counts.byTask.get(key) ?? 0) + Number(r.n));
    }
  }
  return counts;
}

/** Queued and running tries now (`tasks failed-deps`; the queuer reads them with its own question). */
export async function readActiveCounts(db: DataSource | EntityManager): Promise<ActiveCounts> {
  const { records } = await execSql<{ pool: string; dag_id: string; n: number | string; slots: number | string }>(
    db,
    'SELECT pool, dag_id, COUNT(*) AS n, SUM(pool_slots) AS slots FROM task_instance ' +
      "WHERE state IN ('queued', 'running') GROUP BY pool, dag_id",
  );
  return activeCountsOf(records);
}

/**
 * The pools and their slots. With `lock` on PostgreSQL this locks the pool rows until the
 * transaction ends: the scheduler loop reads them first in its transaction, so several
 * schedulers take their turns (always in this lock order, so they cannot deadlock) and never
 * exceed a limit together.
 */
export async function readPools(
  m: DataSource | EntityManager,
  options: { lock: boolean } = { lock: true },
): Promise<PoolSlots> {
  const { records } = await execSql<{ pool: string; slots: number }>(
    m,
    `SELECT pool, slots FROM slot_pool ORDER BY id${options.lock && isPostgres(m) ? ' FOR UPDATE' : ''}`,
  );
  return new Map(records.map((p) => [p.pool, Number(p.slots)]));
}

export function slotUsage(
  pools: PoolSlots,
  active: ActiveCounts,
  limits: { parallelism: number; executorSlotsFree: number | null },
): SlotUsage {
  return {
    poolCapacity: pools,
    poolUsed: active.slotsByPool,
    dagActive: active.tasksByDag,
    taskActive: new Map(),
    totalActive: active.total,
    parallelism: limits.parallelism,
    executorSlotsFree: limits.executorSlotsFree,
  };
}

/** One more task instance queued: the rules see it for the next candidate. */
export function takeSlots(
  slots: SlotUsage,
  ti: { dagId: string; taskId: string; pool: string; poolSlots: number },
): void {
  const taskKey = taskActiveKey(ti.dagId, ti.taskId);
  if (slots.taskActive.has(taskKey)) slots.taskActive.set(taskKey, slots.taskActive.get(taskKey)! + 1);
  slots.poolUsed.set(ti.pool, (slots.poolUsed.get(ti.pool) ?? 0) + ti.poolSlots);
  slots.dagActive.set(ti.dagId, (slots.dagActive.get(ti.dagId) ?? 0) + 1);
  slots.totalActive += 1;
  if (slots.executorSlotsFree !== null) slots.executorSlotsFree -= 1;
}

/**
 * The active instances of each of `tasks` (those with max_active_tis_per_dag) from counts grouped
 * by task, 0 for those with none: TaskConcurrencyDep and takeSlots then need no read of their own.
 */
export function knowTaskActive(
  slots: SlotUsage,
  active: ActiveCounts,
  tasks: Iterable<{ dagId: string; taskId: string }>,
): void {
  for (const t of tasks) {
    const key = taskActiveKey(t.dagId, t.taskId);
    slots.taskActive.set(key, active.byTask.get(key) ?? 0);
  }
}

/** max_active_tis_per_dag: read how many instances of the task are queued or running, once per batch. */
export async function readTaskActive(
  db: DataSource | EntityManager,
  slots: SlotUsage,
  dagId: string,
  taskId: string,
): Promise<void> {
  const key = taskActiveKey(dagId, taskId);
  if (slots.taskActive.has(key)) return;
  const { records } = await execSql<{ n: number | string }>(
    db,
    "SELECT COUNT(*) AS n FROM task_instance WHERE dag_id = ? AND task_id = ? AND state IN ('queued', 'running')",
    [dagId, taskId],
  );
  slots.taskActive.set(key, Number(records[0]?.n ?? 0));
}
