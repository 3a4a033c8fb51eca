import type { DataSource, EntityManager } from 'typeorm';
import type { TaskStateOrNone } from '../core/states';
import { execSql } from '../db/sql';
import { withinTransaction } from '../db/transaction';
import { recordDagRunEnded } from '../metrics/airflow-stats';
import { markDagRunFinished, touchSchedulingDecisions } from '../db/transitions/dag-run-transitions';
import type { RunRef } from '../db/transitions/task-instance-transitions';
import { requestCallback } from '../db/transitions/callback-transitions';
import { getLogger } from '../logging/logger';
import type { DagViewCache } from './dag-view-cache';
import { decideAfterEvents, RunTiReader } from './decide-after-events';
import { applyRunChanges } from './apply-run-changes';
import { TiSnapshot, decideRun } from './decide-run';
import { mappedTaskState } from './mapped-state';
import type { FanInCache } from './fan-in-cache';
import type { AffectedRun } from './process-executor-events';
import { readPreviousRun } from './read-previous-run';
import { createMissingTaskInstances, RunRow } from './start-queued-runs';

const log = getLogger('scheduler');

export interface ScheduleRunsResult {
  /** Tasks that became `scheduled` (the queuer should look now). */
  scheduled: number;
  finishedRuns: Array<{ dagId: string; runId: string; state: string }>;
  /** Earliest pending retry among the examined runs. */
  wakeAt: Date | null;
}

async function loadTis(db: DataSource | EntityManager, run: RunRow): Promise<Map<string, TiSnapshot>> {
  const { records } = await execSql<TiRow>(
    db,
    `SELECT task_id, map_index, state, try_number, next_try_at FROM task_instance
     WHERE dag_id = ? AND run_id = ?`,
    [run.dagId, run.runId],
  );
  return snapshotsOf(records);
}

interface TiRow {
  task_id: string;
  map_index: number | string;
  state: TaskStateOrNone;
  try_number: number;
  next_try_at: string | null;
}

/** One snapshot per task; an expanded mapped task's instances (map_index ≥ 0) are gathered in it. */
function snapshotsOf(records: readonly TiRow[]): Map<string, TiSnapshot> {
  const out = new Map<string, TiSnapshot>();
  for (const r of records) {
    const nextTryAt = r.next_try_at ? new Date(r.next_try_at) : null;
    const mapIndex = Number(r.map_index);
    if (mapIndex < 0) {
      out.set(r.task_id, { state: r.state, tryNumber: Number(r.try_number), nextTryAt });
      continue;
    }
    let snapshot = out.get(r.task_id);
    if (!snapshot?.mapped) out.set(r.task_id, (snapshot = { state: null, tryNumber: 0, nextTryAt: null, mapped: [] }));
    snapshot.mapped!.push({ mapIndex, state: r.state, nextTryAt });
  }
  for (const snapshot of out.values()) {
    if (!snapshot.mapped) continue;
    snapshot.mapped.sort((a, b) => a.mapIndex - b.mapIndex);
    snapshot.state = mappedTaskState(snapshot.mapped.map((i) => i.state));
  }
  return out;
}

/** Decide and apply one run's state changes; returns what happened. */
async function scheduleRun(
  db: DataSource | EntityManager,
  views: DagViewCache,
  fanIns: FanInCache,
  run: RunRow & { startDate: Date | null },
  now: Date,
  result: ScheduleRunsResult,
): Promise<void> {
  const view = await views.get(run.dagId);
  if (!view) return;
  // This decision may move upstream tasks of a waiting fan-in: what was remembered is stale.
  fanIns.forgetRun(run);
  let tis = await loadTis(db, run);
  const needsPast = view.hasDependsOnPast;
  const previousRun = needsPast ? await readPreviousRun(db, run) : null;
  let decision = decideRun({ dag: view.dag, tis, now, previousRun, runStartDate: run.startDate });
  if (decision.missingTaskIds.length) {
    await createMissingTaskInstances(db, view, run, decision.missingTaskIds, now);
    tis = await loadTis(db, run);
    decision = decideRun({ dag: view.dag, tis, now, previousRun, runStartDate: run.startDate });
  }
  if (!decision.changes.length && !decision.finish) {
    if (decision.wakeAt && (!result.wakeAt || decision.wakeAt < result.wakeAt)) result.wakeAt = decision.wakeAt;
    return;
  }
  let endedMapped = false;
  let finished = false;
  await withinTransaction(db, async (m) => {
    const applied = await applyRunChanges(m, view, run, decision.changes, now);
    result.scheduled += applied.scheduled;
    endedMapped = applied.endedMapped;
    if (decision.finish && (await markDagRunFinished(m, run.id, decision.finish.state, now, decision.finish.note))) {
      finished = true;
      result.finishedRuns.push({ dagId: run.dagId, runId: run.runId, state: decision.finish.state });
      // Same transaction as the final state: the callback is asked for exactly when the run ends.
      const { state, note } = decision.finish;
      const wanted = state === 'success' ? view.dag.callbacks?.onSuccess : view.dag.callbacks?.onFailure;
      if (wanted)
        await requestCallback(
          m,
          {
            dagId: run.dagId,
            runId: run.runId,
            kind: state === 'success' ? 'dag_success' : 'dag_failure',
            context: { reason: note ?? state, state, endDate: now.toISOString() },
          },
          now,
        );
    }
  });
  if (decision.finish && finished && run.startDate)
    recordDagRunEnded(run.dagId, decision.finish.state, (now.getTime() - run.startDate.getTime()) / 1000);
  if (decision.finish)
    log.info(
      `run ${run.runId} finished: ${decision.finish.state}${decision.finish.note ? ` (${decision.finish.note})` : ''}`,
      { dagId: run.dagId },
    );
  if (decision.wakeAt && (!result.wakeAt || decision.wakeAt < result.wakeAt)) result.wakeAt = decision.wakeAt;
  // Decisions can cascade (an EmptyOperator succeeding unblocks its downstream): go again.
  if (
    !decision.finish &&
    (endedMapped ||
      decision.changes.some(
        (c) => c.to === 'success' || c.to === 'skipped' || c.to === 'upstream_failed' || c.to === 'removed',
      ))
  ) {
    await scheduleRun(db, views, fanIns, run, now, result);
  }
}

/** Examine the given running runs (or, with `runs` omitted, every running run, oldest first). */
export async function scheduleRuns(
  db: DataSource | EntityManager,
  views: DagViewCache,
  fanIns: FanInCache,
  now: Date,
  runs: RunRow[] | null,
  limit: number,
): Promise<ScheduleRunsResult> {
  const result: ScheduleRunsResult = { scheduled: 0, finishedRuns: [], wakeAt: null };
  let rows: Array<RunRow & { startDate: Date | null }>;
  if (runs === null) {
    const { records } = await execSql<{ id: number; dag_id: string; run_id: string; start_date: string | null }>(
      db,
      `SELECT id, dag_id, run_id, start_date FROM dag_run WHERE state = 'running' AND run_type <> 'test'
       ORDER BY last_scheduling_decision IS NOT NULL, last_scheduling_decision LIMIT ?`,
      [limit],
    );
    rows = records.map((r) => ({
      id: Number(r.id),
      dagId: r.dag_id,
      runId: r.run_id,
      startDate: r.start_date ? new Date(r.start_date) : null,
    }));
    await touchSchedulingDecisions(
      db,
      rows.map((r) => r.id),
      now,
    );
  } else {
    if (!runs.length) return result;
    const { records } = await execSql<{ id: number; start_date: string | null; state: string }>(
      db,
      `SELECT id, start_date, state FROM dag_run WHERE id IN (${runs.map(() => '?').join(', ')})`,
      runs.map((r) => r.id),
    );
    const byId = new Map(records.map((r) => [Number(r.id), r]));
    rows = runs
      .filter((r) => byId.get(r.id)?.state === 'running')
      .map((r) => ({ ...r, startDate: byId.get(r.id)!.start_date ? new Date(byId.get(r.id)!.start_date!) : null }));
  }
  for (const run of rows) {
    try {
      await scheduleRun(db, views, fanIns, run, now, result);
    } catch (err) {
      log.error(`could not schedule run ${run.runId}`, { dagId: run.dagId, err });
    }
  }
  return result;
}

/**
 * After executor events: decide only what the ended tries may have made ready (see
 * decideAfterEvents), falling back to a full decision of the run where that is needed.
 */
export async function scheduleRunsAfterEvents(
  db: DataSource | EntityManager,
  views: DagViewCache,
  fanIns: FanInCache,
  now: Date,
  runs: Array<RunRef & Pick<AffectedRun, 'endedTaskIds' | 'endedStates' | 'needsFullDecision'>>,
): Promise<ScheduleRunsResult> {
  const result: ScheduleRunsResult = { scheduled: 0, finishedRuns: [], wakeAt: null };
  const full: RunRef[] = [];
  for (const run of runs) {
    try {
      // The cached version: the full pass (every idle_sleep) and the DAG processor's change
      // notices check for newer ones, so events are not slowed by a version check each.
      const view = views.peek(run.dagId) ?? (await views.get(run.dagId));
      if (!view) continue;
      const plan = await decideAfterEvents({
        view,
        run,
        endedTaskIds: run.endedTaskIds,
        endedStates: run.endedStates,
        needsFullDecision: run.needsFullDecision,
        reader: sqlRunReader(db, run),
        fanIns,
        now,
      });
      if (plan.full) {
        full.push(run);
        continue;
      }
      if (plan.wakeAt && (!result.wakeAt || plan.wakeAt < result.wakeAt)) result.wakeAt = plan.wakeAt;
      if (!plan.changes.length) continue;
      await withinTransaction(db, async (m) => {
        result.scheduled += (await applyRunChanges(m, view, run, plan.changes, now)).scheduled;
      });
    } catch (err) {
      log.error(`could not schedule run ${run.runId}`, { dagId: run.dagId, err });
    }
  }
  if (full.length) {
    const rows = await runRowsOf(db, full);
    const more = await scheduleRuns(db, views, fanIns, now, rows, rows.length);
    result.scheduled += more.scheduled;
    result.finishedRuns.push(...more.finishedRuns);
    if (more.wakeAt && (!result.wakeAt || more.wakeAt < result.wakeAt)) result.wakeAt = more.wakeAt;
  }
  return result;
}

/** What decideAfterEvents reads of one run, in SQL. */
function sqlRunReader(db: DataSource | EntityManager, run: RunRef): RunTiReader {
  return {
    tisOf: (taskIds) => loadTisOf(db, run, taskIds),
    async countByState() {
      const { records } = await execSql<{ state: TaskStateOrNone; n: number | string }>(
        db,
        'SELECT state, COUNT(*) AS n FROM task_instance ' +
          'WHERE dag_id = ? AND run_id = ? AND map_index = -1 GROUP BY state',
        [run.dagId, run.runId],
      );
      return new Map(records.map((r) => [r.state, Number(r.n)]));
    },
    async anyUnfinished() {
      // Looking for one unfinished task stops at the first, where counting reads the whole run.
      const { records } = await execSql(
        db,
        'SELECT 1 AS x FROM task_instance WHERE dag_id = ? AND run_id = ? ' +
          "AND (state IS NULL OR state NOT IN ('success', 'failed', 'skipped', 'upstream_failed', 'removed')) LIMIT 1",
        [run.dagId, run.runId],
      );
      return records.length > 0;
    },
  };
}

/** The ids of runs still there (a full decision goes by id). */
async function runRowsOf(db: DataSource | EntityManager, runs: RunRef[]): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const run of runs) {
    const { records } = await execSql<{ id: number }>(db, 'SELECT id FROM dag_run WHERE dag_id = ? AND run_id = ?', [
      run.dagId,
      run.runId,
    ]);
    if (records.length) rows.push({ id: Number(records[0].id), dagId: run.dagId, runId: run.runId });
  }
  return rows;
}

async function loadTisOf(
  db: DataSource | EntityManager,
  run: RunRef,
  taskIds: string[],
): Promise<Map<string, TiSnapshot>> {
  const out = new Map<string, TiSnapshot>();
  for (let i = 0; i < taskIds.length; i += 200) {
    const part = taskIds.slice(i, i + 200);
    const { records } = await execSql<{
      task_id: string;
      state: TaskStateOrNone;
      try_number: number;
      next_try_at: string | null;
    }>(
      db,
      `SELECT task_id, state, try_number, next_try_at FROM task_instance
       WHERE dag_id = ? AND run_id = ? AND map_index = -1 AND task_id IN (${part.map(() => '?').join(', ')})`,
      [run.dagId, run.runId, ...part],
    );
    for (const r of records)
      out.set(r.task_id, {
        state: r.state,
        tryNumber: Number(r.try_number),
        nextTryAt: r.next_try_at ? new Date(r.next_try_at) : null,
      });
  }
  return out;
}
