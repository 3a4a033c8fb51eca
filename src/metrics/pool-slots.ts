import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';

export interface PoolSlotCounts {
  open: number;
  queued: number;
  running: number;
}

export interface PoolSlotsRead {
  /** Each pool's open, queued and running slots (Airflow's pool.*_slots.<pool>). */
  pools: Map<string, PoolSlotCounts>;
  /** Task instances queued / running, whatever their pool (Airflow's executor.*_tasks). */
  queuedTasks: number;
  runningTasks: number;
}

/** Pool slots and queued/running task instances, from the DB. */
export async function readPoolSlots(db: DataSource): Promise<PoolSlotsRead> {
  const pools = await execSql<{ pool: string; slots: number | string }>(db, 'SELECT pool, slots FROM slot_pool');
  const used = await execSql<{ pool: string; state: string; n: number | string; slots: number | string | null }>(
    db,
    'SELECT pool, state, COUNT(*) AS n, SUM(pool_slots) AS slots FROM task_instance ' +
      "WHERE state IN ('queued', 'running') GROUP BY pool, state",
  );
  const out = new Map<string, PoolSlotCounts>();
  let queuedTasks = 0;
  let runningTasks = 0;
  for (const row of pools.records) out.set(row.pool, { open: Number(row.slots), queued: 0, running: 0 });
  for (const row of used.records) {
    if (row.state === 'queued') queuedTasks += Number(row.n);
    else runningTasks += Number(row.n);
    const counts = out.get(row.pool);
    if (!counts) continue; // a pool deleted while tasks still name it
    if (row.state === 'queued') counts.queued = Number(row.slots ?? 0);
    else counts.running = Number(row.slots ?? 0);
  }
  for (const counts of out.values()) counts.open = Math.max(0, counts.open - counts.queued - counts.running);
  return { pools: out, queuedTasks, runningTasks };
}
