import { isFinishedTaskState, TaskState, TaskStateOrNone } from '../core/states';
import type { RunRef } from '../db/transitions/task-instance-transitions';
import type { DagView } from './dag-view-cache';
import { decideRun, StateChange, TiSnapshot } from './decide-run';
import { decideTaskInstance } from './decide-task-instance';
import { TriggerRuleDep } from './deps/trigger-rule-dep';
import { addUpstream, countUpstreamByState, UpstreamCounts } from './deps/upstream-counts';
import type { FanInCache } from './fan-in-cache';

/** What the incremental decision reads of one run (SQL in the scheduler, a map in tests). */
export interface RunTiReader {
  /** The task instances of these tasks (those that exist). */
  tisOf(taskIds: string[]): Promise<Map<string, TiSnapshot>>;
  /** How many task instances of the run are in each state. */
  countByState(): Promise<Map<TaskStateOrNone, number>>;
  /** Whether any task instance of the run is not finished. */
  anyUnfinished(): Promise<boolean>;
}

export interface AfterEventsPlan {
  /** Apply these (all → scheduled) unless `full`. */
  changes: StateChange[];
  /** Decide the whole run instead, from the same states (the changes above are dropped). */
  full: boolean;
  wakeAt: Date | null;
}

/** Above this many task instances to read, one full decision of the run is cheaper. */
export const INCREMENTAL_LIMIT = 400;

const FULL: AfterEventsPlan = { changes: [], full: true, wakeAt: null };

/**
 * After executor events: decide only the direct downstream tasks of the tries that ended (plus
 * their upstream states as context), so a loop costs what changed, not the size of the run.
 * A candidate with a huge fan-in is decided from state counts of the run instead of its rows.
 * Every task goes through decideTaskInstance, as in a full decision; the result equals a full
 * decision's because only `scheduled` moves are kept (a task scheduled early stays scheduled
 * whatever its other upstream tasks do): any other move may cascade, so the run is decided in
 * full instead — as it is when the run may be finished, when branching touched other tasks,
 * or for depends_on_past (test/scheduler-logic/incremental-decisions.property.test.ts).
 */
export async function decideAfterEvents(input: {
  view: DagView;
  run: RunRef;
  endedTaskIds: string[];
  /** The states the ended tries moved their task instances to. */
  endedStates: ReadonlyArray<{ taskId: string; state: TaskStateOrNone }>;
  needsFullDecision: boolean;
  reader: RunTiReader;
  fanIns: FanInCache;
  now: Date;
  limit?: number;
}): Promise<AfterEventsPlan> {
  const { view, reader } = input;
  const limit = input.limit ?? INCREMENTAL_LIMIT;
  const candidates = new Set(input.endedTaskIds.flatMap((id) => view.tasks.get(id)?.downstream ?? []));
  // depends_on_past reads the previous run; a teardown its setups, which a wide fan-in cannot count.
  if (
    input.needsFullDecision ||
    [...candidates].some((id) => view.tasks.get(id)?.dependsOnPast || view.tasks.get(id)?.isTeardown)
  )
    return FULL;
  // Mapped tasks have a task instance per map index, which the incremental reads do not see.
  if (view.hasMappedTasks) return FULL;
  const changes: StateChange[] = [];
  let wakeAt: Date | null = null;
  /** Whether some candidate is still unfinished (then the run cannot be). */
  let unfinished = false;
  const wide = [...candidates].filter((id) => (view.tasks.get(id)?.upstream.length ?? 0) > limit);
  for (const id of wide) candidates.delete(id);
  if (wide.length > 0) {
    const decided = await decideWideFanIns(input, wide, limit);
    if (decided === null) return FULL;
    changes.push(...decided.changes);
    wakeAt = decided.wakeAt;
    unfinished = decided.unfinished;
  }
  if (candidates.size > 0) {
    const context = new Set(candidates);
    for (const id of candidates) for (const up of view.tasks.get(id)?.upstream ?? []) context.add(up);
    if (context.size > limit) return FULL;
    const tis = await reader.tisOf([...context]);
    const decision = decideRun({
      dag: view.dag,
      tis,
      now: input.now,
      runStartDate: null,
      partial: true,
      decideOnly: candidates,
    });
    changes.push(...decision.changes);
    for (const id of candidates) unfinished ||= !isFinishedTaskState(tis.get(id)?.state ?? null);
    if (decision.wakeAt && (!wakeAt || decision.wakeAt < wakeAt)) wakeAt = decision.wakeAt;
  }
  if (changes.some((c) => c.to !== TaskState.SCHEDULED)) return FULL;
  // Leaves ended, or only finished tasks (one_success ran early) are downstream: the run is done
  // once nothing is unfinished, which a full decision finishes.
  if (!changes.length && !unfinished && !(await reader.anyUnfinished())) return FULL;
  return { changes, full: false, wakeAt };
}

/**
 * Decide fan-ins too wide to read row by row: their upstream counts are the run's counts by
 * state minus the states of the (few) tasks that are not upstream of them. Returns null when
 * neither side is small (decide the whole run).
 */
async function decideWideFanIns(
  input: Parameters<typeof decideAfterEvents>[0],
  taskIds: string[],
  limit: number,
): Promise<{ changes: StateChange[]; wakeAt: Date | null; unfinished: boolean } | null> {
  const { view, run, fanIns, reader } = input;
  const changes: StateChange[] = [];
  let wakeAt: Date | null = null;
  let unfinished = false;
  let totals: Map<TaskStateOrNone, number> | null = null;
  for (const taskId of taskIds) {
    const task = view.tasks.get(taskId)!;
    const upstream = fanIns.upstreamSet(view, taskId);
    const arrived = input.endedStates.filter((e) => upstream.has(e.taskId)).map((e) => e.state);
    if (fanIns.stillWaits(run, view, taskId, task.triggerRule, arrived)) {
      unfinished = true;
      continue;
    }
    const others = fanIns.nonUpstreamTaskIds(view, taskId);
    if (others.length > limit) return null;
    totals ??= await reader.countByState();
    const otherTis = await reader.tisOf(others);
    const own = otherTis.get(taskId);
    if (!own) {
      fanIns.forget(run, taskId);
      unfinished = true;
      continue;
    }
    unfinished ||= !isFinishedTaskState(own.state);
    const counts: UpstreamCounts = countUpstreamByState(totals);
    for (const ti of otherTis.values()) addUpstream(counts, ti.state, -1);
    const decision = decideTaskInstance({
      task,
      state: own.state,
      nextTryAt: own.nextTryAt,
      now: input.now,
      upstream: () => counts,
      previous: undefined,
    });
    if (decision.kind === 'move') {
      fanIns.forget(run, taskId);
      changes.push({ taskIds: [taskId], from: [own.state], to: decision.to, reason: decision.reason });
      continue;
    }
    if (decision.dep === TriggerRuleDep) fanIns.rememberWaiting(run, view, taskId, counts);
    else fanIns.forget(run, taskId);
    const { until } = decision.status;
    if (until && (!wakeAt || until < wakeAt)) wakeAt = until;
  }
  return { changes, wakeAt, unfinished };
}
