import type { DataSource } from 'typeorm';
import type { TaskStateOrNone } from '../core/states';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { markDagRunFinished } from '../db/transitions/dag-run-transitions';
import { transitionTasks } from '../db/transitions/task-instance-transitions';
import { getLogger } from '../logging/logger';
import type { DagViewCache } from './dag-view-cache';
import { TiSnapshot, decideRun } from './decide-run';
import { createMissingTaskInstances, RunRow } from './start-queued-runs';

const log = getLogger('scheduler');

export interface ScheduleRunsResult {
  /** Tasks that became `scheduled` (the queuer should look now). */
  scheduled: number;
  finishedRuns: Array<{ dagId: string; runId: string; state: string }>;
  /** Earliest pending retry among the examined runs. */
  wakeAt: Date | null;
}

async function loadTis(ds: DataSource, run: RunRow): Promise<Map<string, TiSnapshot>> {
  const { records } = await execSql<{ task_id: string; state: TaskStateOrNone; try_number: number; next_try_at: string | null }>(
    ds,
    `SELECT task_id, state, try_number, next_try_at FROM task_instance WHERE dag_id = ? AND run_id = ? AND map_index = -1`,
    [run.dagId, run.runId],
  );
  return new Map(records.map((r) => [r.task_id, { state: r.state, tryNumber: Number(r.try_number), nextTryAt: r.next_try_at ? new Date(r.next_try_at) : null }]));
}

async function previousRunStates(ds: DataSource, run: RunRow): Promise<Map<string, TaskStateOrNone> | undefined> {
  const { records } = await execSql<{ run_id: string }>(
    ds,
    `SELECT run_id FROM dag_run WHERE dag_id = ? AND logical_date < (SELECT logical_date FROM dag_run WHERE id = ?) ORDER BY logical_date DESC LIMIT 1`,
    [run.dagId, run.id],
  );
  if (!records.length) return undefined;
  const { records: tis } = await execSql<{ task_id: string; state: TaskStateOrNone }>(
    ds,
    `SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ? AND map_index = -1`,
    [run.dagId, records[0].run_id],
  );
  return new Map(tis.map((t) => [t.task_id, t.state]));
}

/** Decide and apply one run's state changes; returns what happened. */
async function scheduleRun(ds: DataSource, views: DagViewCache, run: RunRow & { startDate: Date | null }, now: Date, result: ScheduleRunsResult): Promise<void> {
  const view = await views.get(run.dagId);
  if (!view) return;
  let tis = await loadTis(ds, run);
  const needsPast = view.dag.tasks.some((t) => t.dependsOnPast);
  const previous = needsPast ? await previousRunStates(ds, run) : undefined;
  let decision = decideRun({ dag: view.dag, tis, now, previousRunStates: previous, runStartDate: run.startDate });
  if (decision.missingTaskIds.length) {
    await createMissingTaskInstances(ds, view, run, decision.missingTaskIds, now);
    tis = await loadTis(ds, run);
    decision = decideRun({ dag: view.dag, tis, now, previousRunStates: previous, runStartDate: run.startDate });
  }
  if (!decision.changes.length && !decision.finish) {
    if (decision.wakeAt && (!result.wakeAt || decision.wakeAt < result.wakeAt)) result.wakeAt = decision.wakeAt;
    return;
  }
  await runInTransaction(ds, async (m) => {
    for (const change of decision.changes) {
      const moved = await transitionTasks(m, run, change.taskIds, change.from, change.to, now, change.reason);
      if (change.to === 'scheduled') result.scheduled += moved;
    }
    if (decision.finish && (await markDagRunFinished(m, run.id, decision.finish.state, now, decision.finish.note))) {
      result.finishedRuns.push({ dagId: run.dagId, runId: run.runId, state: decision.finish.state });
    }
  });
  if (decision.finish) log.info(`run ${run.runId} finished: ${decision.finish.state}${decision.finish.note ? ` (${decision.finish.note})` : ''}`, { dagId: run.dagId });
  if (decision.wakeAt && (!result.wakeAt || decision.wakeAt < result.wakeAt)) result.wakeAt = decision.wakeAt;
  // Decisions can cascade (an EmptyOperator succeeding unblocks its downstream): go again.
  if (!decision.finish && decision.changes.some((c) => c.to === 'success' || c.to === 'skipped' || c.to === 'upstream_failed' || c.to === 'removed')) {
    await scheduleRun(ds, views, run, now, result);
  }
}

/** Examine the given running runs (or, with `runs` omitted, every running run, oldest first). */
export async function scheduleRuns(ds: DataSource, views: DagViewCache, now: Date, runs: RunRow[] | null, limit: number): Promise<ScheduleRunsResult> {
  const result: ScheduleRunsResult = { scheduled: 0, finishedRuns: [], wakeAt: null };
  let rows: Array<RunRow & { startDate: Date | null }>;
  if (runs === null) {
    const { records } = await execSql<{ id: number; dag_id: string; run_id: string; start_date: string | null }>(
      ds,
      `SELECT id, dag_id, run_id, start_date FROM dag_run WHERE state = 'running' ORDER BY last_scheduling_decision IS NOT NULL, last_scheduling_decision LIMIT ?`,
      [limit],
    );
    rows = records.map((r) => ({ id: Number(r.id), dagId: r.dag_id, runId: r.run_id, startDate: r.start_date ? new Date(r.start_date) : null }));
    if (rows.length) {
      await execSql(ds, `UPDATE dag_run SET last_scheduling_decision = ? WHERE id IN (${rows.map(() => '?').join(', ')})`, [now.toISOString(), ...rows.map((r) => r.id)]);
    }
  } else {
    if (!runs.length) return result;
    const { records } = await execSql<{ id: number; start_date: string | null; state: string }>(
      ds,
      `SELECT id, start_date, state FROM dag_run WHERE id IN (${runs.map(() => '?').join(', ')})`,
      runs.map((r) => r.id),
    );
    const byId = new Map(records.map((r) => [Number(r.id), r]));
    rows = runs.filter((r) => byId.get(r.id)?.state === 'running').map((r) => ({ ...r, startDate: byId.get(r.id)!.start_date ? new Date(byId.get(r.id)!.start_date!) : null }));
  }
  for (const run of rows) {
    try {
      await scheduleRun(ds, views, run, now, result);
    } catch (err) {
      log.error(`could not schedule run ${run.runId}: ${(err as Error).message}`, { dagId: run.dagId });
    }
  }
  return result;
}
