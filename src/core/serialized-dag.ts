import type { ParamSpec } from './param-schema';
import { TriggerRule, WeightRule } from './states';

/**
 * The JSON form of a DAG stored in `serialized_dag.data`. The scheduler and web server work only
 * from this; it must hold everything they need without importing the DAG file.
 * All durations are milliseconds, all dates ISO-8601 UTC strings.
 */

/** How a DAG is scheduled, as stored. Built from the `schedule` option by the timetables module. */
export type ScheduleSpec =
  | { kind: 'none' }
  | { kind: 'once' }
  /** `expressions`: several crons whose ticks are merged (`expression` is then their ' | '-joined text). */
  | { kind: 'cron'; expression: string; timezone: string; expressions?: string[] }
  | { kind: 'interval'; everyMs: number }
  /** Runs when each of these datasets (URIs, sorted) was updated since the last such run. */
  | { kind: 'dataset'; uris: string[] }
  /**
   * A user's timetable class: the scheduler never runs its code, so the DAG processor stores the
   * runs it yields up to a horizon and its manual-interval answers (see src/timetables/precompute-custom-timetable.ts).
   */
  | PrecomputedScheduleSpec;

/** One run a custom timetable yields: ISO dates; the logical date is `start`. */
export interface PrecomputedRun {
  start: string;
  end: string;
  runAfter: string;
}

export interface PrecomputedScheduleSpec {
  kind: 'precomputed';
  /** The user's class name, and what its `serialize()` returned (shown, and kept for `deserialize`). */
  className: string;
  serialized: unknown;
  /** The chain of runs from the first one, in order, up to the horizon. */
  runs: PrecomputedRun[];
  /** The class said no run follows the last of `runs` (not merely the horizon). */
  ended: boolean;
  /**
   * `inferManualDataInterval` answered at these moments (`from`, sorted): a trigger takes the
   * answer of the latest moment at or before it.
   */
  manual: Array<{ from: string; start: string; end: string }>;
}

export interface SerializedSensor {
  pokeIntervalMs: number;
  timeoutMs: number;
  mode: 'poke' | 'reschedule';
  softFail: boolean;
}

/**
 * One expanded argument of a mapped task (Airflow's `.expand(name=...)`): a literal list known when
 * the DAG is parsed, or the XCom of an upstream task whose length is recorded when it is pushed
 * (the `task_map` table), so the scheduler never reads the values themselves.
 */
export type SerializedExpandArg = (
  { name: string; literal: unknown[] } | { name: string; upstream: { taskId: string; key: string } }
) & {
  /**
   * `expandKwargs` (Airflow's `expand_kwargs`): each element is one map index's arguments, an
   * object of options (classic operators) or a tuple of the mapped parameters (typed tasks).
   */
  kwargs?: ExpandKwargsShape;
};

/** What each element of an `expandKwargs` list must be. */
export type ExpandKwargsShape = 'object' | 'tuple';

/** How a mapped task expands: one task instance per element (several args: their cross product). */
export interface SerializedExpansion {
  args: SerializedExpandArg[];
}

export interface SerializedTask {
  taskId: string;
  /** Operator class name, e.g. 'BashOperator'. */
  operator: string;
  /** Direct upstream task ids (sorted). */
  upstream: string[];
  /** Direct downstream task ids (sorted). */
  downstream: string[];
  triggerRule: TriggerRule;
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number | null;
  executionTimeoutMs: number | null;
  pool: string;
  poolSlots: number;
  /** Own weight as given; the effective priority is computed with weightRule. */
  priorityWeight: number;
  weightRule: WeightRule;
  queue: string;
  dependsOnPast: boolean;
  /** Names of templated fields and their raw (unrendered) values, for the UI. */
  templateFields: Record<string, unknown>;
  /** URIs of the datasets a success of this task updates (absent when none). */
  outlets?: string[];
  /** Present for sensors. */
  sensor?: SerializedSensor;
  doc?: string;
  /** Present for a mapped task (`.partial().expand()`): what it expands over. */
  mapped?: SerializedExpansion;
  /** The task group path ('group.sub') the task belongs to, if any. */
  taskGroup?: string;
  /** Setup / teardown tasks (Airflow 2.7); present only when true. */
  isSetup?: true;
  isTeardown?: true;
  /** A teardown whose failure fails the run; present only when true. */
  onFailureFailDagrun?: true;
  /** Airflow's wait_for_downstream; present only when true. */
  waitForDownstream?: true;
  /** Airflow's max_active_tis_per_dag; present only when set. */
  maxActiveTisPerDag?: number;
}

export interface SerializedDag {
  /** Bumped when the shape changes incompatibly. */
  formatVersion: 1;
  dagId: string;
  description: string | null;
  /** Absolute path of the file that defines the DAG. */
  fileloc: string;
  schedule: ScheduleSpec;
  /** The schedule as the user wrote it, for display ('0 12 * * *', '@daily', 'every 30m'). */
  scheduleText: string | null;
  startDate: string | null;
  endDate: string | null;
  catchup: boolean;
  maxActiveRuns: number;
  maxActiveTasks: number;
  dagrunTimeoutMs: number | null;
  tags: string[];
  owner: string;
  /** Params at their default values. */
  params: Record<string, unknown>;
  /** JSON schemas of the params declared with `param(default, schema)`; absent when there are none. */
  paramSpecs?: Record<string, ParamSpec>;
  docMd: string | null;
  /** Tasks in topological order. */
  tasks: SerializedTask[];
  /** Which DAG-level callbacks exist (they run outside the scheduler); absent when none. */
  callbacks?: { onSuccess: boolean; onFailure: boolean };
  /** The DAG's deadline alert; absent when it has none. */
  deadline?: SerializedDeadline;
}

/** A deadline alert as stored: the run must finish by reference + intervalMs. */
export interface SerializedDeadline {
  reference: 'dagrun_logical_date' | 'dagrun_queued_at' | 'fixed_datetime';
  /** ISO date, for 'fixed_datetime'. */
  fixedDate: string | null;
  intervalMs: number;
  hasCallback: boolean;
}
