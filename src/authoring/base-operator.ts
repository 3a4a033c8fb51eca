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
  TaskOptions,
} from './task-options';

export type TaskOrTasks = BaseOperator | readonly BaseOperator[];

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
  readonly onSuccessCallback: TaskCallback | null;
  readonly onFailureCallback: TaskCallback | null;
  readonly onRetryCallback: TaskCallback | null;
  readonly upstreamTaskIds: ReadonlySet<string> = new Set<string>();
  readonly downstreamTaskIds: ReadonlySet<string> = new Set<string>();
  /** Names of the properties rendered with Jinja syntax before execute(). */
  readonly templateFields: readonly string[] = [];
  /** For a mapped task (`Op.partial(...).expand(...)`): what it expands over; null otherwise. */
  readonly expansion: OperatorExpansion | null = null;

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
    const taskId = rawId as string;
    if (kindOf(dag) !== 'dag') {
      throw new DagDefinitionError(
        `task '${taskId}': option 'dag' is required (pass { dag } with the DAG the task belongs to)`,
      );
    }
    const where = `DAG '${dag!.dagId}', task '${taskId}'`;
    const merged = mergeTaskOptions(where, given, dag!.defaultArgs, [...TASK_OPTION_KEYS, ...ownOptionKeys]);
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
    this.onSuccessCallback = resolved.onSuccessCallback;
    this.onFailureCallback = resolved.onFailureCallback;
    this.onRetryCallback = resolved.onRetryCallback;
    this.mergedOptions = merged;
    dag!.addTask(this);
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

  /** `a.then(b)`: b runs after a. Returns its argument, so `a.then(b).then(c)` reads as a chain. */
  then<T extends TaskOrTasks>(other: T): T {
    this.setDownstream(other);
    return other;
  }

  setDownstream(other: TaskOrTasks): void {
    for (const task of asList(other)) this.link(this, task);
  }

  setUpstream(other: TaskOrTasks): void {
    for (const task of asList(other)) this.link(task, this);
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
export function isTaskList(value: TaskOrTasks): value is readonly BaseOperator[] {
  return Array.isArray(value);
}

function asList(value: TaskOrTasks): readonly BaseOperator[] {
  return isTaskList(value) ? value : [value];
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a nested array' : typeof value;
}
