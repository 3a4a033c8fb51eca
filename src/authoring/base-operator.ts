import { DagDefinitionError } from '../core/errors';
import type { TriggerRule, WeightRule } from '../core/states';
import type { TaskOutcome } from '../core/executor';
import { invalidIdReason } from './identifiers';
import type { OperatorExpansion } from './mapping/expansion';
import { partialOperator, type PartialOperator } from './mapping/partial';
import { kindOf, SDK_KIND } from './sdk-kind';
import type { TaskContext } from './task-context';
import {
  mergeTaskOptions,
  resolveTaskOptions,
  TASK_OPTION_KEYS,
  TaskCallback,
  TaskDag,
  TaskGroupRef,
  TaskOptions,
} from './task-options';

type TaskGroup = TaskGroupRef<BaseOperator>;

/** What a dependency can be set on: a task, a task group, or a list of them. */
export type TaskOrTasks = BaseOperator | TaskGroup | ReadonlyArray<BaseOperator | TaskGroup>;

/** Options of `asTeardown`. */
export interface TeardownOptions {
  /** The setup task(s) this teardown cleans up after; they become its upstream tasks. */
  setups?: BaseOperator | readonly BaseOperator[];
  /** A failure of this teardown fails the DAG run (default false: the work tasks decide it). */
  onFailureFailDagrun?: boolean;
}

/**
 * A task of a DAG. Subclasses implement `execute(ctx)` and list the options they add
 * (`operatorOptionKeys`) and the ones that are templated (`templateFields`).
 */
export abstract class BaseOperator {
  readonly [SDK_KIND] = 'operator' as const;
  readonly taskId: string;
  readonly dag: TaskDag<BaseOperator>;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryExponentialBackoff: boolean;
  readonly maxRetryDelayMs: number | null;
  readonly executionTimeoutMs: number | null;
  readonly triggerRule: TriggerRule;
  readonly pool: string;
  readonly poolSlots: number;
  readonly priorityWeight: number;
  readonly weightRule: WeightRule;
  readonly queue: string;
  readonly dependsOnPast: boolean;
  readonly owner: string;
  readonly doc: string | null;
  /** URIs of the datasets a success updates. */
  readonly outlets: readonly string[];
  readonly onSuccessCallback: TaskCallback | null;
  readonly onFailureCallback: TaskCallback | null;
  readonly onRetryCallback: TaskCallback | null;
  /** The task group the task was created in (its id carries the group's prefix). */
  readonly taskGroup: TaskGroup | null;
  /** Airflow's wait_for_downstream (implies dependsOnPast). */
  readonly waitForDownstream: boolean;
  /** Airflow's max_active_tis_per_dag: at most this many running instances across runs. */
  readonly maxActiveTisPerDag: number | null;
  /** Set by asSetup(): a setup task (Airflow 2.7). */
  isSetup = false;
  /** Set by asTeardown(): a teardown task, run when its setups succeeded, whatever happened between. */
  isTeardown = false;
  /** For a teardown: its failure fails the run (otherwise the work tasks decide). */
  onFailureFailDagrun = false;
  readonly onExecuteCallback: TaskCallback | null;
  readonly upstreamTaskIds: ReadonlySet<string> = new Set<string>();
  readonly downstreamTaskIds: ReadonlySet<string> = new Set<string>();
  /** Names of the properties rendered with Jinja syntax before execute(). */
  readonly templateFields: readonly string[] = [];
  /** For a mapped task (`Op.partial(...).expand(...)`): what it expands over; null otherwise. */
  readonly expansion: OperatorExpansion | null = null;
  /** The operator's own option names: what an `expandKwargs` element may set per map index. */
  readonly mappableOptionKeys: readonly string[];

  /**
   * Dynamic task mapping (Airflow's `partial`): the options every map index shares; `.expand({...})`
   * names the options that vary, each a list or an upstream task's output that is a list.
   * `BashOperator.partial({ taskId, dag }).expand({ bashCommand: ['echo 1', 'echo 2'] })`.
   */
  static partial<O, T extends BaseOperator>(this: new (options: O) => T, options: Partial<O>): PartialOperator<O, T> {
    return partialOperator(this, options);
  }

  /** Marks this task as mapped (once, by expand()); each output it expands over becomes its upstream. */
  setExpansion(expansion: OperatorExpansion): void {
    if (this.expansion) throw new DagDefinitionError(`${this.where}: expand() was already called`);
    (this as { expansion: OperatorExpansion | null }).expansion = expansion;
    for (const arg of expansion.args) {
      if ('output' in arg) this.setUpstream(arg.output.task as unknown as BaseOperator);
    }
  }

  /**
   * @param options    the task options plus the operator's own options
   * @param ownOptionKeys  the operator's own option names (for the unknown-option check and defaultArgs)
   * @returns the merged options (task options, then dag.defaultArgs, then Airflow's defaults), so a
   *          subclass can read its own options with defaultArgs applied.
   */
  protected constructor(options: TaskOptions, ownOptionKeys: readonly string[] = []) {
    const given = (options ?? {}) as unknown as Record<string, unknown>;
    const rawId = given.taskId;
    const dag = given.dag as TaskDag<BaseOperator> | undefined;
    const dagName = kindOf(dag) === 'dag' ? `DAG '${dag!.dagId}'` : 'no DAG';
    const idReason = invalidIdReason(rawId);
    if (idReason) throw new DagDefinitionError(`${dagName}: invalid task_id ${JSON.stringify(rawId)}: ${idReason}`);
    if (kindOf(dag) !== 'dag') {
      throw new DagDefinitionError(
        `task '${String(rawId)}': option 'dag' is required (pass { dag } with the DAG the task belongs to)`,
      );
    }
    const group = (given.taskGroup ?? null) as TaskGroup | null;
    if (group !== null && (kindOf(group) !== 'group' || group.dag !== dag))
      throw new DagDefinitionError(
        `${dagName}, task '${String(rawId)}': option 'taskGroup' must be a group of this DAG`,
      );
    const taskId = group ? group.childId(rawId as string) : (rawId as string);
    const where = `DAG '${dag!.dagId}', task '${taskId}'`;
    const defaults = group ? { ...dag!.defaultArgs, ...group.defaultArgs } : dag!.defaultArgs;
    const merged = mergeTaskOptions(where, given, defaults, [...TASK_OPTION_KEYS, ...ownOptionKeys]);
    this.mappableOptionKeys = ownOptionKeys;
    const resolved = resolveTaskOptions(where, merged);
    this.taskId = taskId;
    this.dag = dag!;
    this.retries = resolved.retries;
    this.retryDelayMs = resolved.retryDelayMs;
    this.retryExponentialBackoff = resolved.retryExponentialBackoff;
    this.maxRetryDelayMs = resolved.maxRetryDelayMs;
    this.executionTimeoutMs = resolved.executionTimeoutMs;
    this.triggerRule = resolved.triggerRule;
    this.pool = resolved.pool;
    this.poolSlots = resolved.poolSlots;
    this.priorityWeight = resolved.priorityWeight;
    this.weightRule = resolved.weightRule;
    this.queue = resolved.queue;
    this.dependsOnPast = resolved.dependsOnPast;
    this.owner = resolved.owner;
    this.doc = resolved.doc;
    this.outlets = resolved.outlets;
    this.onSuccessCallback = resolved.onSuccessCallback;
    this.onFailureCallback = resolved.onFailureCallback;
    this.onRetryCallback = resolved.onRetryCallback;
    this.waitForDownstream = resolved.waitForDownstream;
    this.maxActiveTisPerDag = resolved.maxActiveTisPerDag;
    this.taskGroup = group;
    this.onExecuteCallback = resolved.onExecuteCallback;
    this.mergedOptions = merged;
    dag!.addTask(this);
    group?.addTask(this);
  }

  /** Options after defaultArgs were applied, for subclasses to read their own options. */
  protected readonly mergedOptions: Readonly<Record<string, unknown>>;

  /** The operator's class name ('BashOperator'), stored in the serialized DAG. */
  get operatorName(): string {
    return this.constructor.name;
  }

  /** Prefix for error messages about this task. */
  protected get where(): string {
    return `DAG '${this.dag.dagId}', task '${this.taskId}'`;
  }

  /** Runs the task; the return value becomes the 'return_value' XCom. */
  abstract execute(ctx: TaskContext): Promise<unknown>;

  /** How execute()'s result maps to the try's outcome. */
  toOutcome(result: unknown): Partial<TaskOutcome> {
    return result === undefined ? {} : { xcoms: { return_value: result } };
  }

  /** A copy with rendered values for (some of) the templated fields; this task is untouched. */
  withRenderedFields(values: Record<string, unknown>): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object | null) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    for (const [field, value] of Object.entries(values)) {
      if (!this.templateFields.includes(field)) {
        throw new Error(
          `${this.where}: '${field}' is not a templated field of ${this.operatorName} ` +
            `(templated: ${this.templateFields.join(', ') || 'none'})`,
        );
      }
      Object.defineProperty(copy, field, { value, writable: true, enumerable: true, configurable: true });
    }
    return copy;
  }

  /**
   * A copy for one map index of a mapped task: each expanded option set to this index's element
   * (before templates are rendered, as Airflow does); this task is untouched.
   */
  withExpandedValues(values: Record<string, unknown>): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object | null) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    for (const [name, value] of Object.entries(values))
      Object.defineProperty(copy, name, { value, writable: true, enumerable: true, configurable: true });
    return copy;
  }

  /** The raw (unrendered) values of the templated fields. */
  templateFieldValues(): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const field of this.templateFields) values[field] = (this as unknown as Record<string, unknown>)[field];
    return values;
  }

  get upstreamList(): BaseOperator[] {
    return [...this.upstreamTaskIds].map((id) => this.dag.getTask(id));
  }

  get downstreamList(): BaseOperator[] {
    return [...this.downstreamTaskIds].map((id) => this.dag.getTask(id));
  }

  /** Marks this task as a setup task (Airflow 2.7); returns it. */
  asSetup(): this {
    if (this.isTeardown) throw new DagDefinitionError(`${this.where}: a task cannot be both setup and teardown`);
    this.isSetup = true;
    return this;
  }

  /**
   * Marks this task as a teardown (Airflow 2.7): it runs once its upstream tasks are done and at
   * least one of its setups succeeded, whatever happened between; `setups` become its upstream.
   */
  asTeardown(options: TeardownOptions = {}): this {
    if (this.isSetup) throw new DagDefinitionError(`${this.where}: a task cannot be both setup and teardown`);
    this.isTeardown = true;
    this.onFailureFailDagrun = options.onFailureFailDagrun === true;
    (this as { triggerRule: TriggerRule }).triggerRule = 'all_done_setup_success';
    const setups =
      options.setups === undefined ? [] : Array.isArray(options.setups) ? options.setups : [options.setups];
    for (const setup of setups as BaseOperator[]) {
      if (kindOf(setup) !== 'operator' || !setup.isSetup)
        throw new DagDefinitionError(
          `${this.where}: asTeardown({ setups }) takes setup tasks (call asSetup() on them)`,
        );
      setup.setDownstream(this);
    }
    return this;
  }

  /** `a.then(b)`: b runs after a. Returns its argument, so `a.then(b).then(c)` reads as a chain. */
  then<T extends TaskOrTasks>(other: T): T {
    this.setDownstream(other);
    return other;
  }

  setDownstream(other: TaskOrTasks): void {
    for (const task of asList(other, 'downstream')) this.link(this, task);
  }

  setUpstream(other: TaskOrTasks): void {
    for (const task of asList(other, 'upstream')) this.link(task, this);
  }

  private link(upstream: BaseOperator, downstream: BaseOperator): void {
    if (kindOf(upstream) !== 'operator' || kindOf(downstream) !== 'operator') {
      throw new DagDefinitionError(
        `${this.where}: dependencies must be set between tasks ` +
          `(got ${describe(kindOf(upstream) === 'operator' ? downstream : upstream)})`,
      );
    }
    if (upstream.dag !== downstream.dag) {
      throw new DagDefinitionError(
        `DAG '${upstream.dag.dagId}': cannot set a dependency between task '${upstream.taskId}' ` +
          `and task '${downstream.taskId}' of DAG '${downstream.dag.dagId}' (tasks of different DAGs)`,
      );
    }
    if (upstream === downstream)
      throw new DagDefinitionError(`DAG '${upstream.dag.dagId}': cycle ${upstream.taskId} → ${upstream.taskId}`);
    (upstream.downstreamTaskIds as Set<string>).add(downstream.taskId);
    (downstream.upstreamTaskIds as Set<string>).add(upstream.taskId);
  }

  toString(): string {
    return `<Task(${this.operatorName}): ${this.taskId}>`;
  }
}

/** Array.isArray, narrowing to the readonly list it does not narrow to by itself. */
export function isTaskList(value: TaskOrTasks): value is ReadonlyArray<BaseOperator | TaskGroup> {
  return Array.isArray(value);
}

/** The tasks a dependency on `value` links: a group stands for its roots (downstream) or leaves (upstream). */
function asList(value: TaskOrTasks, side: 'upstream' | 'downstream'): readonly BaseOperator[] {
  const items: ReadonlyArray<BaseOperator | TaskGroup> = isTaskList(value) ? value : [value];
  return items.flatMap((item): BaseOperator[] => {
    if (kindOf(item) !== 'group') return [item as BaseOperator];
    const group = item as TaskGroup;
    return side === 'upstream' ? group.leaves : group.roots;
  });
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a nested array' : typeof value;
}
