import type { DataSource, EntityManager } from 'typeorm';
import { execSql } from '../db/sql';
import { runInTransaction, withinTransaction } from '../db/transaction';
import { markDagRunRunning } from '../db/transitions/dag-run-transitions';
import { createTaskInstances } from '../db/transitions/task-instance-transitions';
import { recordTaskInstancesCreated } from '../metrics/airflow-stats';
import { getLogger } from '../logging/logger';
import { DEFAULT_MAX_MAP_LENGTH, type DagView, type DagViewCache } from './dag-view-cache';
import { literalMapLength } from './map-lengths';

const log = getLogger('scheduler');

export interface RunRow {
  id: number;
  dagId: string;
  runId: string;
}

/**
 * Create the task instances of a run that are missing (all of them for a new run). A mapped task
 * over literal lists is expanded here, one task instance per map index (as Airflow does when a
 * run is created); an empty or too long literal keeps map index -1 and is skipped or failed
 * when its turn comes, with the reason.
 */
export async function createMissingTaskInstances(
  db: DataSource | EntityManager,
  view: DagView,
  run: RunRow,
  taskIds: string[],
  now: Date,
): Promise<number> {
  const max = view.maxMapLength ?? DEFAULT_MAX_MAP_LENGTH;
  const tasks = taskIds.map((id) => {
    const task = view.tasks.get(id)!;
    const length = literalMapLength(task);
    const mapIndexes = length !== null && length > 0 && length <= max ? Array.from({ length }, (_, i) => i) : undefined;
    return { ...task, effectivePriority: view.priorities.get(id) ?? 1, mapIndexes };
  });
  const created = await withinTransaction(db, (m) => createTaskInstances(m, run, tasks, now));
  // Counted by operator when every row was new (the usual case); a partial insert raced another
  // scheduler for some rows and cannot say which were its own.
  const byOperator = new Map<string, number>();
  for (const task of tasks)
    byOperator.set(task.operator, (byOperator.get(task.operator) ?? 0) + (task.mapIndexes?.length ?? 1));
  if (created === [...byOperator.values()].reduce((a, b) => a + b, 0)) recordTaskInstancesCreated(byOperator);
  return created;
}

/**
 * queued → running for runs of unpaused DAGs while the DAG has fewer than max_active_runs
 * running (a backfill's runs: while their backfill is not paused), oldest logical date first;
 * each started run gets its task instances.
 */
export async function startQueuedRuns(
  ds: DataSource,
  views: DagViewCache,
  now: Date,
  limit: number,
  lateThresholdMs = Infinity,
): Promise<RunRow[]> {
  const { records } = await execSql<{
    id: number;
    dag_id: string;
    run_id: string;
    run_type: string;
    data_interval_end: string | null;
    backfill_id: number | null;
  }>(
    ds,
    // A paused backfill's queued runs wait too; a backfill's runs are bounded by its own
    // max_active_runs when it creates them (backfill-transitions.ts), not by the DAG's.
    `SELECT r.id, r.dag_id, r.run_id, r.run_type, r.data_interval_end, r.backfill_id FROM dag_run r
     JOIN dag d ON d.dag_id = r.dag_id LEFT JOIN backfill b ON b.id = r.backfill_id
     WHERE r.state = 'queued' AND d.is_paused = ? AND r.run_type <> 'test' AND (b.id IS NULL OR b.is_paused = ?)
     ORDER BY r.logical_date LIMIT ?`,
    [false, false, limit],
  );
  if (!records.length) return [];
  const { records: running } = await execSql<{ dag_id: string; n: number | string }>(
    ds,
    `SELECT dag_id, COUNT(*) AS n FROM dag_run WHERE state = 'running' AND run_type <> 'test' AND backfill_id IS NULL
     GROUP BY dag_id`,
  );
  const runningByDag = new Map(running.map((r) => [r.dag_id, Number(r.n)]));
  const started: RunRow[] = [];
  for (const r of records) {
    try {
      const view = await views.get(r.dag_id);
      if (!view) continue;
      const inBackfill = r.backfill_id !== null && r.backfill_id !== undefined;
      const active = runningByDag.get(r.dag_id) ?? 0;
      if (!inBackfill && active >= view.dag.maxActiveRuns) continue;
      const run = { id: Number(r.id), dagId: r.dag_id, runId: r.run_id };
      const late = lateSeconds(r, now, lateThresholdMs);
      if (!(await runInTransaction(ds, (m) => markDagRunRunning(m, run.id, now, late)))) continue;
      if (late !== null)
        log.warn(`run ${run.runId} started ${late}s after its data interval ended`, { dagId: run.dagId });
      await createMissingTaskInstances(ds, view, run, [...view.tasks.keys()], now);
      if (!inBackfill) runningByDag.set(r.dag_id, active + 1);
      started.push(run);
    } catch (err) {
      log.error(`could not start run ${r.run_id}`, { dagId: r.dag_id, err });
    }
  }
  return started;
}

/**
 * Prefect's "Late": a scheduled run starting more than `scheduler.late_threshold` after its data
 * interval ended is late by that many seconds (null: on time, or not a scheduled run).
 */
export function lateSeconds(
  run: { run_type: string; data_interval_end: string | null },
  now: Date,
  thresholdMs: number,
): number | null {
  if (run.run_type !== 'scheduled' || !run.data_interval_end) return null;
  const lateMs = now.getTime() - new Date(run.data_interval_end).getTime();
  return lateMs > thresholdMs ? Math.round(lateMs / 1000) : null;
}

/** `dags test`: start exactly this run, whatever the pause flag and max_active_runs say. */
export async function startScopedRun(
  ds: DataSource,
  views: DagViewCache,
  run: { dagId: string; runId: string },
  now: Date,
): Promise<RunRow[]> {
  const { records } = await execSql<{ id: number; state: string }>(
    ds,
    `SELECT id, state FROM dag_run WHERE dag_id = ? AND run_id = ?`,
    [run.dagId, run.runId],
  );
  if (!records.length || records[0].state !== 'queued') return [];
  const view = await views.get(run.dagId);
  if (!view) return [];
  const row = { id: Number(records[0].id), dagId: run.dagId, runId: run.runId };
  if (!(await runInTransaction(ds, (m) => markDagRunRunning(m, row.id, now)))) return [];
  await createMissingTaskInstances(ds, view, row, [...view.tasks.keys()], now);
  return [row];
}
