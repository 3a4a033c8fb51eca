import type { DataSource } from 'typeorm';
import { DagRunType } from '../core/states';
import { runInTransaction } from '../db/transaction';
import { execSql } from '../db/sql';
import type { ExistsCondition } from '../db/which-exist';
import { createDagRun } from '../db/transitions/dag-run-transitions';
import { getLogger } from '../logging/logger';
import { timetableFromSpec } from '../timetables';
import type { DagRunInfo, DataInterval, TimeRestriction } from '../timetables/timetable';
import type { DagView, DagViewCache } from './dag-view-cache';

const log = getLogger('scheduler');

export function restrictionOf(view: DagView): TimeRestriction {
  const { dag } = view;
  return {
    earliest: dag.startDate ? new Date(dag.startDate) : null,
    latest: dag.endDate ? new Date(dag.endDate) : null,
    catchup: dag.catchup,
  };
}

export function scheduledRunId(logicalDate: Date): string {
  return `scheduled__${logicalDate.toISOString()}`;
}

async function lastAutomatedInterval(ds: DataSource, dagId: string): Promise<DataInterval | null> {
  const { records } = await execSql<{
    data_interval_start: string | null;
    data_interval_end: string | null;
    logical_date: string;
  }>(
    ds,
    `SELECT data_interval_start, data_interval_end, logical_date FROM dag_run
     WHERE dag_id = ? AND run_type IN ('scheduled', 'backfill')
     ORDER BY logical_date DESC LIMIT 1`,
    [dagId],
  );
  if (!records.length) return null;
  const r = records[0];
  const start = new Date(r.data_interval_start ?? r.logical_date);
  return { start, end: new Date(r.data_interval_end ?? r.data_interval_start ?? r.logical_date) };
}

/** Compute and store the DAG's next automated run (dag.next_dagrun*), as Airflow does. */
export async function refreshNextDagRun(ds: DataSource, view: DagView, now: Date): Promise<DagRunInfo | null> {
  const timetable = timetableFromSpec(view.dag.schedule);
  const info = timetable.nextDagRunInfo(await lastAutomatedInterval(ds, view.dag.dagId), restrictionOf(view), now);
  await execSql(
    ds,
    `UPDATE dag SET next_dagrun = ?, next_dagrun_data_interval_start = ?, next_dagrun_data_interval_end = ?,
       next_dagrun_create_after = ?
     WHERE dag_id = ?`,
    [
      info?.logicalDate ?? null,
      info?.dataInterval.start ?? null,
      info?.dataInterval.end ?? null,
      info?.runAfter ?? null,
      view.dag.dagId,
    ],
  );
  return info;
}

export async function countActiveRuns(ds: DataSource, dagId: string): Promise<number> {
  const { records } = await execSql<{ n: number | string }>(
    ds,
    `SELECT COUNT(*) AS n FROM dag_run WHERE dag_id = ? AND state IN ('queued', 'running') AND run_type <> 'test'`,
    [dagId],
  );
  return Number(records[0].n);
}

const DUE_DAGS_WHERE = `is_active = ? AND is_paused = ? AND next_dagrun_create_after IS NOT NULL
  AND next_dagrun_create_after <= ?`;

/**
 * The DAGs whose next scheduled run is due (params: is_active, is_paused, now, limit).
 * idx_dag_next_run_create_after serves it, so it reads only the rows already due.
 */
export const DUE_DAGS_SQL = `SELECT dag_id FROM dag WHERE ${DUE_DAGS_WHERE} ORDER BY next_dagrun_create_after LIMIT ?`;

/**
 * Whether any DAG's next scheduled run is due at `now` (what createDueRuns would find). The loop
 * asks it every second together with its other checks (whichExist), so an idle scheduler pays no
 * statement of its own for run creation.
 */
export function dueDagsWaiting(now: Date): ExistsCondition {
  return { sql: `SELECT 1 FROM dag WHERE ${DUE_DAGS_WHERE}`, params: [true, false, now.toISOString()] };
}

/**
 * Create the scheduled runs that are due now: DAGs that are active, unpaused and whose
 * next_dagrun_create_after has passed, up to max_active_runs each. Idempotent (unique keys).
 */
export async function createDueRuns(ds: DataSource, views: DagViewCache, now: Date, maxDags: number): Promise<number> {
  const { records } = await execSql<{ dag_id: string }>(ds, DUE_DAGS_SQL, [true, false, now.toISOString(), maxDags]);
  let created = 0;
  for (const { dag_id: dagId } of records) {
    try {
      const view = await views.get(dagId);
      if (!view) continue;
      let free = view.dag.maxActiveRuns - (await countActiveRuns(ds, dagId));
      // Recompute against `now`: with catchup off a long pause must not create stale runs.
      let info = await refreshNextDagRun(ds, view, now);
      while (info && info.runAfter.getTime() <= now.getTime() && free > 0) {
        const run = info;
        const inserted = await runInTransaction(ds, (m) =>
          createDagRun(
            m,
            {
              dagId,
              runId: scheduledRunId(run.logicalDate),
              logicalDate: run.logicalDate,
              dataIntervalStart: run.dataInterval.start,
              dataIntervalEnd: run.dataInterval.end,
              runType: DagRunType.SCHEDULED,
              externalTrigger: false,
              conf: null,
              dagHash: view.hash,
              deadline: view.dag.deadline,
            },
            now,
          ),
        );
        if (inserted) {
          created += 1;
          free -= 1;
          log.info(`created run ${scheduledRunId(run.logicalDate)}`, { dagId });
        }
        const next = await refreshNextDagRun(ds, view, now);
        // Nothing new (e.g. a manual run holds that date).
        if (next && next.logicalDate.getTime() === run.logicalDate.getTime()) break;
        info = next;
      }
    } catch (err) {
      log.error('could not create runs', { dagId, err });
    }
  }
  return created;
}
