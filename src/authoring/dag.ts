import { DagDefinitionError, NotFoundError } from '../core/errors';
import type { ParamSpec } from '../core/param-schema';
import type { ScheduleSpec } from '../core/serialized-dag';
import type { ScheduleOption } from '../timetables/schedule-spec';
import type { BaseOperator } from './base-operator';
import { recordCreatedDag } from './dag-registry';
import { DagOptions, resolveDagOptions, type TemplateUndefined } from './dag-options';
import type { DagCallback, ResolvedDeadline } from './dag-callbacks';
import { invalidIdReason } from './identifiers';
import { SDK_KIND } from './sdk-kind';
import { topologicalOrder } from './topological-order';
import type { DefaultArgs } from './task-options';
import { validateDag } from './validate-dag';

/** A DAG: tasks, their dependencies and a schedule. Tasks attach themselves via `{ dag }`. */
export class DAG {
  readonly [SDK_KIND] = 'dag' as const;
  readonly dagId: string;
  /** Absolute path of the defining file; set by the loader. */
  fileloc = '';
  readonly description: string | null;
  /** The schedule as written. */
  readonly schedule: ScheduleOption;
  readonly scheduleSpec: ScheduleSpec;
  readonly startDate: Date | null;
  readonly endDate: Date | null;
  readonly catchup: boolean;
  readonly defaultArgs: Readonly<DefaultArgs>;
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  readonly dagrunTimeoutMs: number | null;
  readonly tags: readonly string[];
  /** Params at their default values (declared schemas are in `paramSpecs`). */
  readonly params: Record<string, unknown>;
  readonly paramSpecs: Readonly<Record<string, ParamSpec>>;
  readonly timezone: string;
  readonly docMd: string | null;
  readonly owner: string;
  /** How templates treat a name that does not exist (DagOptions.templateUndefined). */
  readonly templateUndefined: TemplateUndefined;
  /** DAG-level callbacks; the scheduler records a request and a callback runner calls them. */
  readonly onSuccessCallback: DagCallback | null;
  readonly onFailureCallback: DagCallback | null;
  readonly deadline: ResolvedDeadline | null;
  /** Tasks by id, in the order they were created. */
  readonly tasks: ReadonlyMap<string, BaseOperator> = new Map();

  constructor(dagId: string, options: DagOptions = {}) {
    const reason = invalidIdReason(dagId);
    if (reason) throw new DagDefinitionError(`invalid dag_id ${JSON.stringify(dagId)}: ${reason}`);
    this.dagId = dagId;
    const resolved = resolveDagOptions(dagId, options);
    this.description = resolved.description;
    this.schedule = resolved.schedule;
    this.scheduleSpec = resolved.scheduleSpec;
    this.startDate = resolved.startDate;
    this.endDate = resolved.endDate;
    this.catchup = resolved.catchup;
    this.defaultArgs = resolved.defaultArgs;
    this.maxActiveRuns = resolved.maxActiveRuns;
    this.maxActiveTasks = resolved.maxActiveTasks;
    this.dagrunTimeoutMs = resolved.dagrunTimeoutMs;
    this.tags = resolved.tags;
    this.params = resolved.params;
    this.paramSpecs = resolved.paramSpecs;
    this.timezone = resolved.timezone;
    this.docMd = resolved.docMd;
    this.owner = resolved.owner;
    this.templateUndefined = resolved.templateUndefined;
    this.onSuccessCallback = resolved.onSuccessCallback;
    this.onFailureCallback = resolved.onFailureCallback;
    this.deadline = resolved.deadline;
    recordCreatedDag(this);
  }

  /** Called by the BaseOperator constructor; task ids are unique within a DAG. */
  addTask(task: BaseOperator): void {
    if (this.tasks.has(task.taskId))
      throw new DagDefinitionError(`DAG '${this.dagId}': duplicate task id '${task.taskId}'`);
    (this.tasks as Map<string, BaseOperator>).set(task.taskId, task);
  }

  hasTask(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  getTask(taskId: string): BaseOperator {
    const task = this.tasks.get(taskId);
    if (!task) throw new NotFoundError(`DAG '${this.dagId}' has no task '${taskId}'`);
    return task;
  }

  get taskIds(): string[] {
    return [...this.tasks.keys()];
  }

  /** Tasks without upstream tasks. */
  get roots(): BaseOperator[] {
    return [...this.tasks.values()].filter((t) => t.upstreamTaskIds.size === 0);
  }

  /** Tasks without downstream tasks (they decide the run's state). */
  get leaves(): BaseOperator[] {
    return [...this.tasks.values()].filter((t) => t.downstreamTaskIds.size === 0);
  }

  /** Tasks ordered so that every task comes after its upstream tasks; throws on a cycle. */
  topologicalOrder(): BaseOperator[] {
    return topologicalOrder(this);
  }

  /** Throws DagDefinitionError on a cycle, a dangling/cross-DAG dependency, bad schedule or dates. */
  validate(): void {
    validateDag(this);
  }

  toString(): string {
    return `<DAG: ${this.dagId}>`;
  }
}
