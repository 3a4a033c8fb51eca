import type { DataSource, EntityManager } from 'typeorm';
import type { TaskStateOrNone } from '../core/states';
import { execSql } from '../db/sql';
import { withinTransaction } from '../db/transaction';
import { markDagRunFinished } from '../db/transitions/dag-run-transitions';
import { RunRef, transitionTasks } from '../db/transitions/task-instance-transitions';
import { getLogger } from '../logging/logger';
import type { DagViewCache } from './dag-view-cache';
import { TiSnapshot, decideRun } from './decide-run';
import { countUpstream, evaluateTriggerRule } from './deps/trigger-rule-dep';
import type { DagView } from './dag-view-cache';
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
  const { records } = await execSql<{
    task_id: string;
    state: TaskStateOrNone;
    try_number: number;
    next_try_at: string | null;
  }>(
    db,
    `SELECT task_id, state, try_number, next_try_at FROM task_instance
     WHERE dag_id = ? AND run_id = ? AND map_index = -1`,
    [run.dagId, run.runId],
  );
  return new Map(
    records.map((r) => [
      r.task_id,
      { state: r.state, tryNumber: Number(r.try_number), nextTryAt: r.next_try_at ? new Date(r.next_try_at) : null },
    ]),
  );
}

async function previousRunStates(
  db: DataSource | EntityManager,
  run: RunRow,
): Promise<Map<string, TaskStateOrNone> | undefined> {
  const { records } = await execSql<{ run_id: string }>(
    db,
    `SELECT run_id FROM dag_run WHERE dag_id = ? AND logical_date < (SELECT logical_date FROM dag_run WHERE id = ?)
     ORDER BY logical_date DESC LIMIT 1`,
    [run.dagId, run.id],
  );
  if (!records.length) return undefined;
  const { records: tis } = await execSql<{ task_id: string; state: TaskStateOrNone }>(
    db,
    `SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ? AND map_index = -1`,
    [run.dagId, records[0].run_id],
  );
  return new Map(tis.map((t) => [t.task_id, t.state]));
}

/** Decide and apply one run's state changes; returns what happened. */
async function scheduleRun(
  db: DataSource | EntityManager,
  views: DagViewCache,
  run: RunRow & { startDate: Date | null },
  now: Date,
  result: ScheduleRunsResult,
): Promise<void> {
  const view = await views.get(run.dagId);
  if (!view) return;
  let tis = await loadTis(db, run);
  const needsPast = view.dag.tasks.some((t) => t.dependsOnPast);
  const previous = needsPast ? await previousRunStates(db, run) : undefined;
  let decision = decideRun({ dag: view.dag, tis, now, previousRunStates: previous, runStartDate: run.startDate });
  if (decision.missingTaskIds.length) {
    await createMissingTaskInstances(db, view, run, decision.missingTaskIds, now);
    tis = await loadTis(db, run);
    decision = decideRun({ dag: view.dag, tis, now, previousRunStates: previous, runStartDate: run.startDate });
  }
  if (!decision.changes.length && !decision.finish) {
    if (decision.wakeAt && (!result.wakeAt || decision.wakeAt < result.wakeAt)) result.wakeAt = decision.wakeAt;
    return;
  }
  await withinTransaction(db, async (m) => {
    for (const change of decision.changes) {
      const moved = await transitionTasks(m, run, change.taskIds, change.from, change.to, now, change.reason);
      if (change.to === 'scheduled') result.scheduled += moved;
    }
    if (decision.finish && (await markDagRunFinished(m, run.id, decision.finish.state, now, decision.finish.note))) {
      result.finishedRuns.push({ dagId: run.dagId, runId: run.runId, state: decision.finish.state });
    }
  });
  if (decision.finish)
    log.info(
      `run ${run.runId} finished: ${decision.finish.state}${decision.finish.note ? ` (${decision.finish.note})` : ''}`,
      { dagId: run.dagId },
    );
  if (decision.wakeAt && (!result.wakeAt || decision.wakeAt < result.wakeAt)) result.wakeAt = decision.wakeAt;
  // Decisions can cascade (an EmptyOperator succeeding unblocks its downstream): go again.
  if (
    !decision.finish &&
    decision.changes.some(
      (c) => c.to === 'success' || c.to === 'skipped' || c.to === 'upstream_failed' || c.to === 'removed',
    )
  ) {
    await scheduleRun(db, views, run, now, result);
  }
}

/** Examine the given running runs (or, with `runs` omitted, every running run, oldest first). */
export async function scheduleRuns(
  db: DataSource | EntityManager,
  views: DagViewCache,
  now: Date,
  runs: RunRow[] | null,
  limit: number,
): Promise<ScheduleRunsResult> {
  const result: ScheduleRunsResult = { scheduled: 0, finishedRuns: [], wakeAt: null };
  let rows: Array<RunRow & { startDate: Date | null }>;
  if (runs === null) {
    const { records } = await execSql<{ id: number; dag_id: string; run_id: string; start_date: string | null }>(
      db,
      `SELECT id, dag_id, run_id, start_date FROM dag_run WHERE state = 'running'
       ORDER BY last_scheduling_decision IS NOT NULL, last_scheduling_decision LIMIT ?`,
      [limit],
    );
    rows = records.map((r) => ({
      id: Number(r.id),
      dagId: r.dag_id,
      runId: r.run_id,
      startDate: r.start_date ? new Date(r.start_date) : null,
    }));
    if (rows.length) {
      await execSql(
        db,
        `UPDATE dag_run SET last_scheduling_decision = ? WHERE id IN (${rows.map(() => '?').join(', ')})`,
        [now.toISOString(), ...rows.map((r) => r.id)],
      );
    }
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
      await scheduleRun(db, views, run, now, result);
    } catch (err) {
      log.error(`could not schedule run ${run.runId}`, { dagId: run.dagId, err });
    }
  }
  return result;
}

/** Above this many task instances to read, one full decision of the run is cheaper. */
const INCREMENTAL_LIMIT = 400;

/**
 * After executor events: decide only the direct downstream tasks of the tries that ended (plus
 * their upstream states as context), so a loop costs what changed, not the size of the run. Falls
 * back to a full decision when the run may be finished, when branching touched other tasks, or
 * when a decision would cascade further.
 */
export async function scheduleRunsAfterEvents(
  db: DataSource | EntityManager,
  views: DagViewCache,
  now: Date,
  runs: Array<RunRef & { endedTaskIds: string[]; needsFullDecision: boolean }>,
): Promise<ScheduleRunsResult> {
  const result: ScheduleRunsResult = { scheduled: 0, finishedRuns: [], wakeAt: null };
  const full: RunRef[] = [];
  for (const run of runs) {
    try {
      // The cached version: the full pass (every idle_sleep) and the DAG processor's change
      // notices check for newer ones, so events are not slowed by a version check each.
      const view = views.peek(run.dagId) ?? (await views.get(run.dagId));
      if (!view) continue;
      const candidates = new Set(run.endedTaskIds.flatMap((id) => view.tasks.get(id)?.downstream ?? []));
      if (run.needsFullDecision || [...candidates].some((id) => view.tasks.get(id)?.dependsOnPast)) {
        full.push(run);
        continue;
      }
      if (candidates.size === 0) {
        // Leaves ended: the run is done once nothing is unfinished (a full decision finishes it).
        // Looking for one unfinished task stops at the first, where counting reads the whole run.
        const { records } = await execSql(
          db,
          `SELECT 1 AS x FROM task_instance WHERE dag_id = ? AND run_id = ?
           AND (state IS NULL OR state NOT IN ('success', 'failed', 'skipped', 'upstream_failed', 'removed')) LIMIT 1`,
          [run.dagId, run.runId],
        );
        if (records.length === 0) full.push(run);
        continue;
      }
      // A candidate with a huge fan-in (the join of a 10,000-task fan-out) is decided from
      // state counts computed in SQL rather than by reading every upstream row.
      const wide = [...candidates].filter((id) => (view.tasks.get(id)?.upstream.length ?? 0) > INCREMENTAL_LIMIT);
      for (const id of wide) candidates.delete(id);
      if (wide.length > 0 && (await decideWideFanIns(db, view, run, wide, run.endedTaskIds, now, result))) {
        full.push(run);
        continue;
      }
      if (candidates.size === 0) continue;
      const context = new Set(candidates);
      for (const id of candidates) for (const up of view.tasks.get(id)?.upstream ?? []) context.add(up);
      if (context.size > INCREMENTAL_LIMIT) {
        full.push(run);
        continue;
      }
      const tis = await loadTisOf(db, run, [...context]);
      const decision = decideRun({
        dag: view.dag,
        tis,
        now,
        runStartDate: null,
        partial: true,
        decideOnly: candidates,
      });
      if (!decision.changes.length) continue;
      await withinTransaction(db, async (m) => {
        for (const change of decision.changes) {
          const moved = await transitionTasks(m, run, change.taskIds, change.from, change.to, now, change.reason);
          if (change.to === 'scheduled') result.scheduled += moved;
        }
      });
      // A task that ended without running (skipped, upstream_failed, EmptyOperator) unblocks more.
      if (decision.changes.some((c) => c.to !== 'scheduled')) full.push(run);
    } catch (err) {
      log.error(`could not schedule run ${run.runId}`, { dagId: run.dagId, err });
    }
  }
  if (full.length) {
    const rows = await runRowsOf(db, full);
    const more = await scheduleRuns(db, views, now, rows, rows.length);
    result.scheduled += more.scheduled;
    result.finishedRuns.push(...more.finishedRuns);
    result.wakeAt = more.wakeAt;
  }
  return result;
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

/**
 * Decide tasks with very many upstream tasks from grouped state counts: the counts of the whole
 * run minus those of the (few) tasks that are not upstream of it. Returns true when a decision
 * was made that may cascade (the caller then examines the whole run).
 */
async function decideWideFanIns(
  db: DataSource | EntityManager,
  view: DagView,
  run: RunRef,
  taskIds: string[],
  endedTaskIds: string[],
  now: Date,
  result: ScheduleRunsResult,
): Promise<boolean> {
  let all: Array<{ state: TaskStateOrNone; n: number | string }> | null = null;
  let cascade = false;
  for (const taskId of taskIds) {
    const task = view.tasks.get(taskId)!;
    const memoKey = `${run.dagId}\u0000${run.runId}\u0000${taskId}\u0000${view.hash}`;
    // Only successes come this way (failures and skips take the full decision), so a rule that
    // needs every upstream task finished keeps waiting while some are known to be unfinished.
    const upstream = upstreamSet(view, taskId);
    const ended = endedTaskIds.filter((id) => upstream.has(id)).length;
    const known = unfinishedUpstream.get(memoKey);
    if (known !== undefined && WAITS_FOR_ALL.has(task.triggerRule) && known - ended > 0) {
      unfinishedUpstream.set(memoKey, known - ended);
      continue;
    }
    const others = nonUpstreamTaskIds(view, taskId);
    if (others.length > INCREMENTAL_LIMIT) return true; // neither side is small: decide the whole run
    all ??= (
      await execSql<{ state: TaskStateOrNone; n: number | string }>(
        db,
        `SELECT state, COUNT(*) AS n FROM task_instance WHERE dag_id = ? AND run_id = ? AND map_index = -1
         GROUP BY state`,
        [run.dagId, run.runId],
      )
    ).records;
    const otherTis = await loadTisOf(db, run, others);
    const own = otherTis.get(taskId);
    if (!own || own.state !== null) {
      unfinishedUpstream.delete(memoKey);
      continue;
    }
    const remaining = new Map(all.map((r) => [r.state, Number(r.n)]));
    for (const ti of otherTis.values()) remaining.set(ti.state, (remaining.get(ti.state) ?? 0) - 1);
    const states: TaskStateOrNone[] = [];
    for (const [state, n] of remaining) for (let i = 0; i < n; i++) states.push(state);
    const counts = countUpstream(states);
    if (unfinishedUpstream.size > 10_000) unfinishedUpstream.clear(); // a cache: forgetting only costs a query
    unfinishedUpstream.set(memoKey, counts.total - counts.done);
    const decision = evaluateTriggerRule(task.triggerRule, counts);
    if (decision.kind === 'wait') continue;
    unfinishedUpstream.delete(memoKey);
    const to =
      decision.kind === 'skip'
        ? 'skipped'
        : decision.kind === 'upstream_failed'
          ? 'upstream_failed'
          : task.operator === 'EmptyOperator'
            ? 'success'
            : 'scheduled';
    const moved = await withinTransaction(db, (m) =>
      transitionTasks(m, run, [taskId], [null], to, now, decision.kind === 'run' ? null : decision.reason),
    );
    if (to === 'scheduled') result.scheduled += moved;
    else cascade = true;
  }
  return cascade;
}

/** Rules that cannot let a task run before every upstream task finished. */
const WAITS_FOR_ALL = new Set<string>([
  'all_success',
  'all_failed',
  'all_done',
  'all_skipped',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
]);

/** Unfinished upstream tasks of wide fan-ins as last counted: run, task, DAG version → count. */
const unfinishedUpstream = new Map<string, number>();

const upstreamSets = new WeakMap<DagView, Map<string, Set<string>>>();
const nonUpstreamLists = new WeakMap<DagView, Map<string, string[]>>();

function upstreamSet(view: DagView, taskId: string): Set<string> {
  let byTask = upstreamSets.get(view);
  if (!byTask) upstreamSets.set(view, (byTask = new Map<string, Set<string>>()));
  let set = byTask.get(taskId);
  if (!set) byTask.set(taskId, (set = new Set(view.tasks.get(taskId)?.upstream ?? [])));
  return set;
}

/** Tasks of the DAG that are not direct upstream tasks of `taskId` (itself included). */
function nonUpstreamTaskIds(view: DagView, taskId: string): string[] {
  let byTask = nonUpstreamLists.get(view);
  if (!byTask) nonUpstreamLists.set(view, (byTask = new Map<string, string[]>()));
  let list = byTask.get(taskId);
  if (!list) {
    const upstream = upstreamSet(view, taskId);
    byTask.set(taskId, (list = view.dag.tasks.map((t) => t.taskId).filter((id) => !upstream.has(id))));
  }
  return list;
}
