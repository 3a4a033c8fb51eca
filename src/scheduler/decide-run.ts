import type { SerializedDag } from '../core/serialized-dag';
import { TaskState, TaskStateOrNone, isFinishedTaskState } from '../core/states';
import { decideDagRunState, runStateTaskIds } from './dag-run-state';
import type { PreviousTi } from './deps/dep-context';
import { countUpstream } from './deps/upstream-counts';
import { decideTaskInstance, mayBeDecided } from './decide-task-instance';
import { mappedTaskState } from './mapped-state';

/** What the scheduler knows of one task instance when deciding a run. */
export interface TiSnapshot {
  state: TaskStateOrNone;
  tryNumber: number;
  nextTryAt: Date | null;
  /**
   * An expanded mapped task: its task instances (map_index ≥ 0), each decided on its own; the
   * snapshot's `state` is then the task's state as a whole (mappedTaskState).
   */
  mapped?: MappedTiSnapshot[];
}

export interface MappedTiSnapshot {
  mapIndex: number;
  state: TaskStateOrNone;
  nextTryAt: Date | null;
}

export interface RunDecisionInput {
  dag: SerializedDag;
  tis: ReadonlyMap<string, TiSnapshot>;
  now: Date;
  /**
   * depends_on_past: the previous run of this DAG and its task instances' states; null when
   * there is none (or no task depends on the past). Left out (partial decisions), a task that
   * depends on the past waits: such tasks are decided in full.
   */
  previousRun?: {
    runId: string;
    states: ReadonlyMap<string, TaskStateOrNone>;
    /** Expanded mapped tasks of that run: map index → state (depends_on_past per map index). */
    mapped?: ReadonlyMap<string, ReadonlyMap<number, TaskStateOrNone>>;
  } | null;
  /** When the run started, for dagrun_timeout. */
  runStartDate: Date | null;
  /**
   * `tis` holds only some tasks of the run (those an event may have made ready, and their
   * upstream tasks): decide those, but never conclude anything about the run as a whole.
   */
  partial?: boolean;
  /** With `partial`: the tasks to decide; the other tasks in `tis` are context (upstream states). */
  decideOnly?: ReadonlySet<string>;
}

export interface StateChange {
  taskIds: string[];
  /** Task instances of an expanded mapped task (then `taskIds` names that one task); else map index -1. */
  mapIndexes?: number[];
  from: TaskStateOrNone[];
  to: TaskState;
  reason: string | null;
}

export interface RunDecision {
  /** Tasks of the DAG with no task instance in this run yet. */
  missingTaskIds: string[];
  changes: StateChange[];
  /** The run's new state, or null while it keeps running. */
  finish: { state: 'success' | 'failed'; note: string | null } | null;
  /** Earliest future moment something becomes due (a retry), so the loop can wake then. */
  wakeAt: Date | null;
}

const WAITING_AGAIN: TaskStateOrNone[] = [TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE];
/** What a run's dagrun_timeout skips: every task instance not finished. */
const UNFINISHED_AT_TIMEOUT: TaskStateOrNone[] = [
  TaskState.SCHEDULED,
  TaskState.QUEUED,
  TaskState.RUNNING,
  TaskState.RESTARTING,
  ...WAITING_AGAIN,
];
/** A run with one of these is not deadlocked: a restarting task instance runs again soon. */
const ACTIVE: TaskStateOrNone[] = [
  TaskState.SCHEDULED,
  TaskState.QUEUED,
  TaskState.RUNNING,
  TaskState.RESTARTING,
  TaskState.UP_FOR_RETRY,
  TaskState.UP_FOR_RESCHEDULE,
];

/**
 * Decide one running DAG run: each task instance through the scheduling rules
 * (decideTaskInstance: scheduled, skipped or upstream_failed, cascading in topological order
 * within one pass; retries once due), and whether the run is finished. Pure and deterministic:
 * no I/O, time comes in as `now`.
 */
export function decideRun(input: RunDecisionInput): RunDecision {
  const { dag, tis, now } = input;
  const states = new Map<string, TaskStateOrNone>();
  /** Expanded mapped tasks: map index → state. */
  const instances = new Map<string, Map<number, TaskStateOrNone>>();
  for (const [taskId, ti] of tis) {
    states.set(taskId, ti.state);
    if (ti.mapped) instances.set(taskId, new Map(ti.mapped.map((i) => [i.mapIndex, i.state])));
  }
  // Trigger rules over a mapped upstream task count every one of its task instances (as Airflow).
  // A plain loop: a fan-in's upstream list is as long as the DAG (one array per id added up).
  const upstreamStates = (ids: string[]): TaskStateOrNone[] => {
    const out: TaskStateOrNone[] = [];
    for (const id of ids) {
      const mapped = instances.get(id);
      if (!mapped) out.push(states.get(id) ?? null);
      else for (const state of mapped.values()) out.push(state);
    }
    return out;
  };

  const missingTaskIds: string[] = [];
  const grouped = new Map<string, StateChange>();
  const change = (taskId: string, from: TaskStateOrNone, to: TaskState, reason: string | null) => {
    const groupKey = `${from}>${to}>${reason ?? ''}`;
    let group = grouped.get(groupKey);
    if (!group) grouped.set(groupKey, (group = { taskIds: [], from: [from], to, reason }));
    group.taskIds.push(taskId);
    states.set(taskId, to);
  };
  const changeInstance = (
    taskId: string,
    mapIndex: number,
    from: TaskStateOrNone,
    to: TaskState,
    reason: string | null,
  ) => {
    const groupKey = `${taskId}[]${from}>${to}>${reason ?? ''}`;
    let group = grouped.get(groupKey);
    if (!group) grouped.set(groupKey, (group = { taskIds: [taskId], mapIndexes: [], from: [from], to, reason }));
    group.mapIndexes!.push(mapIndex);
    const mapped = instances.get(taskId)!;
    mapped.set(mapIndex, to);
    states.set(taskId, mappedTaskState(mapped.values()));
  };
  let wakeAt: Date | null = null;

  if (
    !input.partial &&
    dag.dagrunTimeoutMs !== null &&
    input.runStartDate &&
    now.getTime() - input.runStartDate.getTime() > dag.dagrunTimeoutMs
  ) {
    for (const task of dag.tasks) {
      const state = states.get(task.taskId) ?? null;
      const mapped = instances.get(task.taskId);
      if (mapped) {
        for (const [mapIndex, instanceState] of mapped)
          if (instanceState === null || UNFINISHED_AT_TIMEOUT.includes(instanceState))
            changeInstance(task.taskId, mapIndex, instanceState, TaskState.SKIPPED, 'dag run timed out');
        continue;
      }
      // Running and queued tries too: the scheduler stops their processes (stopEndedTries), as Airflow does.
      if (tis.has(task.taskId) && (state === null || UNFINISHED_AT_TIMEOUT.includes(state))) {
        change(task.taskId, state, TaskState.SKIPPED, 'dag run timed out');
      }
    }
    return {
      missingTaskIds: [],
      changes: [...grouped.values()],
      finish: { state: 'failed', note: `dagrun_timeout of ${dag.dagrunTimeoutMs / 1000}s exceeded` },
      wakeAt: null,
    };
  }

  let waitingOnOtherRuns = false;
  /**
   * The same task instance in the previous run: for a map index (Airflow 2.6), the same map index
   * there, or the task's unexpanded instance when it did not expand then (skipped over an empty
   * list, failed); a map index that run did not have is as a task it did not have.
   */
  const previousOf = (task: SerializedDag['tasks'][number], mapIndex = -1): PreviousTi | null | undefined => {
    const run = input.previousRun;
    if (!run) return run;
    const instances = mapIndex >= 0 ? run.mapped?.get(task.taskId) : undefined;
    const state = instances ? instances.get(mapIndex) : run.states.get(task.taskId);
    if (state === undefined) return null;
    // wait_for_downstream: the previous run's direct downstream instances (absent ones never ran).
    const downstream = task.downstream.map((id) => ({ taskId: id, state: run.states.get(id) ?? null }));
    return { runId: run.runId, state, downstream };
  };
  // Only a teardown's trigger rule counts its upstream setups: the DAG's setups are found then.
  let setupIds: Set<string> | null = null;
  const upstreamSetups = (task: SerializedDag['tasks'][number]) => () => {
    setupIds ??= new Set(dag.tasks.filter((t) => t.isSetup).map((t) => t.taskId));
    return countUpstream(upstreamStates(task.upstream.filter((id) => setupIds!.has(id))));
  };
  /** Tasks of the DAG that have task instances: when all of `tis`, none is left to remove. */
  let present = 0;
  for (const task of dag.tasks) {
    const ti = tis.get(task.taskId);
    if (!ti) {
      if (!input.partial) missingTaskIds.push(task.taskId);
      continue;
    }
    present += 1;
    if (input.decideOnly && !input.decideOnly.has(task.taskId)) continue;
    if (ti.mapped) {
      // Each task instance of an expanded mapped task on its own: retries and states per map index.
      for (const instance of ti.mapped) {
        const instanceState = instances.get(task.taskId)!.get(instance.mapIndex) ?? null;
        if (!mayBeDecided(instanceState)) continue;
        const decision = decideTaskInstance({
          task,
          state: instanceState,
          nextTryAt: instance.nextTryAt,
          now,
          upstream: () => countUpstream(upstreamStates(task.upstream)),
          upstreamSetups: upstreamSetups(task),
          previous: task.dependsOnPast ? previousOf(task, instance.mapIndex) : null,
        });
        if (decision.kind === 'move') {
          changeInstance(task.taskId, instance.mapIndex, instanceState, decision.to, decision.reason);
          continue;
        }
        const { until, waitsOnOtherRuns } = decision.status;
        if (until && (!wakeAt || until < wakeAt)) wakeAt = until;
        if (waitsOnOtherRuns) waitingOnOtherRuns = true;
      }
      continue;
    }
    const state = states.get(task.taskId) ?? null;
    if (!mayBeDecided(state)) continue;
    const decision = decideTaskInstance({
      task,
      state,
      nextTryAt: ti.nextTryAt,
      now,
      upstream: () => countUpstream(upstreamStates(task.upstream)),
      upstreamSetups: upstreamSetups(task),
      // A mapped task's unexpanded instance: depends_on_past is each map index's own, once expanded.
      previous: task.dependsOnPast && !task.mapped ? previousOf(task) : null,
    });
    if (decision.kind === 'move') {
      change(task.taskId, state, decision.to, decision.reason);
      continue;
    }
    const { until, waitsOnOtherRuns } = decision.status;
    if (until && (!wakeAt || until < wakeAt)) wakeAt = until;
    if (waitsOnOtherRuns) waitingOnOtherRuns = true;
  }

  if (input.partial) return { missingTaskIds: [], changes: [...grouped.values()], finish: null, wakeAt };

  // Task instances of tasks gone from the DAG: only when there are more of them than tasks found.
  if (present < tis.size) {
    const taskIds = new Set(dag.tasks.map((t) => t.taskId));
    for (const [taskId, ti] of tis) {
      if (
        !taskIds.has(taskId) &&
        !ti.mapped &&
        !isFinishedTaskState(ti.state) &&
        ti.state !== TaskState.RUNNING &&
        ti.state !== TaskState.QUEUED &&
        ti.state !== TaskState.RESTARTING
      ) {
        change(taskId, ti.state, TaskState.REMOVED, 'task no longer in the DAG');
      }
    }
  }

  let finish: RunDecision['finish'] = null;
  if (missingTaskIds.length === 0) {
    // Like Airflow, a run ends only when no task is unfinished; its state then comes from the leaves.
    const unfinished = dag.tasks.filter((t) => !isFinishedTaskState(states.get(t.taskId) ?? null));
    if (unfinished.length === 0) {
      const leaves = runStateTaskIds(dag.tasks).map((id) => states.get(id) ?? null);
      const runState = decideDagRunState(leaves);
      if (runState !== 'running') finish = { state: runState, note: null };
    } else if (
      !waitingOnOtherRuns &&
      grouped.size === 0 &&
      !unfinished.some((t) => ACTIVE.includes(states.get(t.taskId) ?? null))
    ) {
      // Nothing can move any more: no task is active or waiting to retry, yet some are undecided.
      finish = {
        state: 'failed',
        note: `deadlock: tasks ${unfinished
          .slice(0, 5)
          .map((t) => t.taskId)
          .join(', ')} can never run`,
      };
    }
  }
  return { missingTaskIds, changes: [...grouped.values()], finish, wakeAt };
}
