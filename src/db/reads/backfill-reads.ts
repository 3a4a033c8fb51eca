import type { DataSource, EntityManager } from 'typeorm';
import { execSql, sqlBool } from '../sql';

/** A backfill as the CLI, the API and the UI show it, with its progress. */
export interface BackfillView {
  id: number;
  dagId: string;
  fromDate: Date;
  toDate: Date;
  reverse: boolean;
  maxActiveRuns: number;
  rerunFailedTasks: boolean;
  resetDagruns: boolean;
  dagRunConf: Record<string, unknown> | null;
  isPaused: boolean;
  cancelled: boolean;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** Dates in the plan. */
  total: number;
  /** Plan dates not handled yet (no run created, cleared or skipped). */
  pending: number;
  /** Plan dates skipped (a run existed and was left alone). */
  skipped: number;
  /** The backfill's runs by state (`queued`, `running`, `success`, `failed`). */
  runs: Record<string, number>;
}

interface BackfillRecord {
  id: number;
  dag_id: string;
  from_date: string;
  to_date: string;
  reverse: unknown;
  max_active_runs: number;
  rerun_failed_tasks: unknown;
  reset_dagruns: unknown;
  dag_run_conf: string | null;
  is_paused: unknown;
  cancelled: unknown;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** Backfills, newest first; of one DAG when `dagId` is given. */
export async function readBackfills(
  db: DataSource | EntityManager,
  query: { dagId?: string; id?: number; limit?: number; offset?: number } = {},
): Promise<{ backfills: BackfillView[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.dagId !== undefined) {
    where.push('dag_id = ?');
    params.push(query.dagId);
  }
  if (query.id !== undefined) {
    where.push('id = ?');
    params.push(query.id);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const count = await execSql<{ n: number | string }>(db, `SELECT COUNT(*) AS n FROM backfill ${clause}`, params);
  const { records } = await execSql<BackfillRecord>(
    db,
    `SELECT * FROM backfill ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...params, query.limit ?? 100, query.offset ?? 0],
  );
  const backfills: BackfillView[] = [];
  for (const r of records) backfills.push(await withProgress(db, r));
  return { backfills, total: Number(count.records[0].n) };
}

export async function readBackfill(db: DataSource | EntityManager, id: number): Promise<BackfillView | null> {
  return (await readBackfills(db, { id, limit: 1 })).backfills[0] ?? null;
}

async function withProgress(db: DataSource | EntityManager, r: BackfillRecord): Promise<BackfillView> {
  const id = Number(r.id);
  const plan = await execSql<{ outcome: string | null; n: number | string }>(
    db,
    `SELECT outcome, COUNT(*) AS n FROM backfill_dag_run WHERE backfill_id = ? GROUP BY outcome`,
    [id],
  );
  const runs = await execSql<{ state: string; n: number | string }>(
    db,
    `SELECT state, COUNT(*) AS n FROM dag_run WHERE backfill_id = ? GROUP BY state`,
    [id],
  );
  let total = 0;
  let pending = 0;
  let skipped = 0;
  for (const p of plan.records) {
    const n = Number(p.n);
    total += n;
    if (p.outcome === null) pending += n;
    if (p.outcome === 'skipped') skipped += n;
  }
  return {
    id,
    dagId: r.dag_id,
    fromDate: new Date(r.from_date),
    toDate: new Date(r.to_date),
    reverse: sqlBool(r.reverse),
    maxActiveRuns: Number(r.max_active_runs),
    rerunFailedTasks: sqlBool(r.rerun_failed_tasks),
    resetDagruns: sqlBool(r.reset_dagruns),
    dagRunConf: r.dag_run_conf ? (JSON.parse(r.dag_run_conf) as Record<string, unknown>) : null,
    isPaused: sqlBool(r.is_paused),
    cancelled: sqlBool(r.cancelled),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    completedAt: r.completed_at ? new Date(r.completed_at) : null,
    total,
    pending,
    skipped,
    runs: Object.fromEntries(runs.records.map((x) => [x.state, Number(x.n)])),
  };
}
