import { Duration, parseDuration } from '../core/duration';
import { DagDefinitionError, errorMessage } from '../core/errors';
import { TRIGGER_RULES, TriggerRule, WeightRule } from '../core/states';
import { datasetUriProblem, isDataset, type Dataset } from '../core/dataset';
import { currentAuthoringDefaults } from './authoring-defaults';
import { didYouMean } from './closest-name';
import type { TaskContext } from './task-context';

/** Called by the task runner after a try; never serialized. */
export type TaskCallback = (ctx: TaskContext, error?: unknown) => void | Promise<void>;

/**
 * A DAG as the tasks joining it see it; `DAG` is the one implementation. Tasks name this rather
 * than the class, so dag.ts → base-operator.ts → task-options.ts is not an import cycle.
 */
export interface TaskDag<Task = unknown> {
  readonly dagId: string;
  readonly defaultArgs: Readonly<DefaultArgs>;
  /** Called by the task's constructor; task ids are unique within a DAG. */
  addTask(task: Task): void;
  getTask(taskId: string): Task;
}

/**
 * A task group as its tasks see it; `TaskGroup` is the one implementation (named here so that
 * base-operator.ts and task-group.ts do not import each other).
 */
export interface TaskGroupRef<Task = unknown> {
  readonly dag: TaskDag<Task>;
  /** The names of the group and its parents, 'outer.inner'. */
  readonly path: string;
  readonly defaultArgs: Readonly<DefaultArgs>;
  /** The id a task named `label` gets in the group. */
  childId(label: string): string;
  addTask(task: Task): void;
  /** Tasks with no upstream task inside the group. */
  readonly roots: Task[];
  /** Tasks with no downstream task inside the group (teardowns left out). */
  readonly leaves: Task[];
  /** Dependencies on the whole group (its leaves / its roots). */
  setDownstream(other: unknown): void;
  setUpstream(other: unknown): void;
}

/** Options every operator accepts, with Airflow's meaning. Durations: ms or '90s', '5m'… */
export interface TaskOptions {
  taskId: string;
  /** The DAG the task belongs to (required: dagctl has no implicit "current DAG"). */
  dag: TaskDag;
  retries?: number;
  retryDelay?: Duration;
  retryExponentialBackoff?: boolean;
  maxRetryDelay?: Duration | null;
  executionTimeout?: Duration | null;
  triggerRule?: TriggerRule;
  pool?: string;
  poolSlots?: number;
  priorityWeight?: number;
  weightRule?: WeightRule;
  queue?: string;
  dependsOnPast?: boolean;
  owner?: string;
  doc?: string;
  /** Datasets a success of this task updates (Airflow's `outlets`). */
  outlets?: readonly Dataset[];
  onSuccessCallback?: TaskCallback;
  onFailureCallback?: TaskCallback;
  onRetryCallback?: TaskCallback;
  /** The task group to create the task in (its id becomes `<group>.<taskId>`). */
  taskGroup?: TaskGroupRef;
  /**
   * Airflow's wait_for_downstream: also wait for the previous run's direct downstream instances
   * (implies dependsOnPast).
   */
  waitForDownstream?: boolean;
  /** Airflow's max_active_tis_per_dag: at most this many instances of the task running across runs. */
  maxActiveTisPerDag?: number | null;
  /** Called just before execute, in the task's process; one that throws is logged and ignored. */
  onExecuteCallback?: TaskCallback;
}

/** A DAG's `defaultArgs`: any task option (and operator options, applied where accepted). */
export type DefaultArgs = Partial<Omit<TaskOptions, 'taskId' | 'dag' | 'taskGroup'>> & Record<string, unknown>;

export const TASK_OPTION_KEYS: readonly string[] = [
  'taskId',
  'dag',
  'retries',
  'retryDelay',
  'retryExponentialBackoff',
  'maxRetryDelay',
  'executionTimeout',
  'triggerRule',
  'pool',
  'poolSlots',
  'priorityWeight',
  'weightRule',
  'queue',
  'dependsOnPast',
  'owner',
  'doc',
  'outlets',
  'onSuccessCallback',
  'onFailureCallback',
  'onRetryCallback',
  'taskGroup',
  'waitForDownstream',
  'maxActiveTisPerDag',
  'onExecuteCallback',
];

/** Task options after defaults and normalization (durations in ms). */
export interface ResolvedTaskOptions {
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number | null;
  executionTimeoutMs: number | null;
  triggerRule: TriggerRule;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  weightRule: WeightRule;
  queue: string;
  dependsOnPast: boolean;
  owner: string;
  doc: string | null;
  /** Dataset URIs, in the order given, without repeats. */
  outlets: string[];
  onSuccessCallback: TaskCallback | null;
  onFailureCallback: TaskCallback | null;
  onRetryCallback: TaskCallback | null;
  waitForDownstream: boolean;
  maxActiveTisPerDag: number | null;
  onExecuteCallback: TaskCallback | null;
}

/**
 * Airflow's defaults, used when neither the task nor the DAG's defaultArgs set an option (retries:
 * from the config).
 */
export const AIRFLOW_TASK_DEFAULTS = {
  retryDelay: '5m',
  retryExponentialBackoff: false,
  maxRetryDelay: null,
  executionTimeout: null,
  triggerRule: 'all_success',
  pool: 'default_pool',
  poolSlots: 1,
  priorityWeight: 1,
  weightRule: 'downstream',
  queue: 'default',
  dependsOnPast: false,
  waitForDownstream: false,
  maxActiveTisPerDag: null,
  owner: 'airflow',
} as const;

const WEIGHT_RULES: readonly string[] = Object.values(WeightRule);

/**
 * Check option names and merge: task options, then `defaultArgs` (only keys this operator
 * accepts, as Airflow does), then Airflow's defaults (retries: `core.default_task_retries`). `where`
 * prefixes every error message.
 */
export function mergeTaskOptions(
  where: string,
  given: Record<string, unknown>,
  defaultArgs: Record<string, unknown>,
  acceptedKeys: readonly string[],
): Record<string, unknown> {
  for (const key of Object.keys(given)) {
    if (!acceptedKeys.includes(key)) {
      throw new DagDefinitionError(`${where}: unknown option '${key}'${didYouMean(key, acceptedKeys)}`);
    }
  }
  // Unset retries: core.default_task_retries (see authoring-defaults.ts).
  const merged: Record<string, unknown> = { ...AIRFLOW_TASK_DEFAULTS, retries: currentAuthoringDefaults().retries };
  for (const [key, value] of Object.entries(defaultArgs)) {
    if (value !== undefined && acceptedKeys.includes(key) && key !== 'taskId' && key !== 'dag' && key !== 'taskGroup')
      merged[key] = value;
  }
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** Validate and normalize the common task options of a merged option set. */
export function resolveTaskOptions(where: string, merged: Record<string, unknown>): ResolvedTaskOptions {
  const fail = (message: string): never => {
    throw new DagDefinitionError(`${where}: ${message}`);
  };
  const duration = (key: string): number => {
    try {
      return parseDuration(merged[key] as Duration, key);
    } catch (err) {
      return fail(errorMessage(err));
    }
  };
  const optionalDuration = (key: string): number | null => (merged[key] === null ? null : duration(key));
  const integer = (key: string, min: number): number => {
    const value = merged[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      fail(`option '${key}' must be an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return value as number;
  };
  const bool = (key: string): boolean => {
    if (typeof merged[key] !== 'boolean')
      fail(`option '${key}' must be true or false, got ${JSON.stringify(merged[key])}`);
    return merged[key] as boolean;
  };
  const text = (key: string): string => {
    const value = merged[key];
    if (typeof value !== 'string' || value.trim() === '') fail(`option '${key}' must be a non-empty string`);
    return value as string;
  };
  const callback = (key: string): TaskCallback | null => {
    const value = merged[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'function') fail(`option '${key}' must be a function`);
    return value as TaskCallback;
  };
  const triggerRule = merged.triggerRule as TriggerRule;
  if (!TRIGGER_RULES.includes(triggerRule)) {
    fail(
      `unknown trigger rule '${String(triggerRule)}'${didYouMean(String(triggerRule), TRIGGER_RULES)} ` +
        `(option 'triggerRule'; use ${TRIGGER_RULES.join(', ')})`,
    );
  }
  const weightRule = merged.weightRule as WeightRule;
  if (!WEIGHT_RULES.includes(weightRule))
    fail(`unknown weight rule '${String(weightRule)}' (option 'weightRule'; use ${WEIGHT_RULES.join(', ')})`);
  const priorityWeight = merged.priorityWeight;
  if (typeof priorityWeight !== 'number' || !Number.isInteger(priorityWeight))
    fail(`option 'priorityWeight' must be an integer`);
  const doc = merged.doc;
  if (doc !== undefined && doc !== null && typeof doc !== 'string') fail(`option 'doc' must be a string`);
  const outlets = (): string[] => {
    const value = merged.outlets;
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return fail(`option 'outlets' must be a list of datasets`);
    const uris: string[] = [];
    for (const item of value as unknown[]) {
      if (!isDataset(item))
        return fail(`option 'outlets' must hold datasets (dataset('s3://…')), got ${JSON.stringify(item)}`);
      const problem = datasetUriProblem(item.uri);
      if (problem) return fail(`outlet dataset ${JSON.stringify(item.uri)}: ${problem}`);
      if (!uris.includes(item.uri)) uris.push(item.uri);
    }
    return uris;
  };
  return {
    outlets: outlets(),
    retries: integer('retries', 0),
    retryDelayMs: duration('retryDelay'),
    retryExponentialBackoff: bool('retryExponentialBackoff'),
    maxRetryDelayMs: optionalDuration('maxRetryDelay'),
    executionTimeoutMs: optionalDuration('executionTimeout'),
    triggerRule,
    pool: text('pool'),
    poolSlots: integer('poolSlots', 1),
    priorityWeight: priorityWeight as number,
    weightRule,
    queue: text('queue'),
    // wait_for_downstream implies depends_on_past, as in Airflow.
    dependsOnPast: bool('dependsOnPast') || bool('waitForDownstream'),
    waitForDownstream: bool('waitForDownstream'),
    maxActiveTisPerDag: merged.maxActiveTisPerDag === null ? null : integer('maxActiveTisPerDag', 1),
    owner: text('owner'),
    doc: typeof doc === 'string' ? doc : null,
    onSuccessCallback: callback('onSuccessCallback'),
    onFailureCallback: callback('onFailureCallback'),
    onRetryCallback: callback('onRetryCallback'),
    onExecuteCallback: callback('onExecuteCallback'),
  };
}
