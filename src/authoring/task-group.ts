import { DagDefinitionError } from '../core/errors';
import type { BaseOperator, TaskOrTasks } from './base-operator';
import { invalidIdReason } from './identifiers';
import { kindOf, SDK_KIND } from './sdk-kind';
import type { DefaultArgs, TaskDag } from './task-options';

export interface TaskGroupOptions {
  /** The DAG the group's tasks belong to. */
  dag: TaskDag<BaseOperator>;
  /** The enclosing group, for nested groups. */
  parentGroup?: TaskGroup;
  /** Prefix the ids of the group's tasks (and nested groups) with the group id (default true). */
  prefixGroupId?: boolean;
  /** Task options for the group's tasks, over the parent group's and the DAG's defaultArgs. */
  defaultArgs?: DefaultArgs;
  /** Shown in the UI. */
  tooltip?: string;
}

/**
 * Airflow's TaskGroup: a named set of tasks (and nested groups) of one DAG. A task created with
 * `taskGroup: g` gets the id `<group>.<taskId>` (unless prefixGroupId is false) and the group's
 * defaultArgs; `g.then(x)` links the group's leaves to x, `x.then(g)` x to the group's roots.
 * Groups only shape ids, defaults and display: the scheduler sees the tasks.
 */
export class TaskGroup {
  readonly [SDK_KIND] = 'group' as const;
  /** The name given, without the parents' prefixes. */
  readonly name: string;
  /** The group id as Airflow shows it: the name, prefixed by the parent group's id when it prefixes. */
  readonly groupId: string;
  /** The names of this group and its parents, 'outer.inner': what the UI nests and collapses by. */
  readonly path: string;
  readonly dag: TaskDag<BaseOperator>;
  readonly parentGroup: TaskGroup | null;
  readonly prefixGroupId: boolean;
  readonly defaultArgs: Readonly<DefaultArgs>;
  readonly tooltip: string | null;
  private readonly memberIds: string[] = [];
  private readonly children: TaskGroup[] = [];

  constructor(name: string, options: TaskGroupOptions) {
    const dag = options?.dag;
    if (kindOf(dag) !== 'dag') throw new DagDefinitionError(`TaskGroup '${String(name)}': option 'dag' is required`);
    const reason = invalidIdReason(name);
    if (reason) throw new DagDefinitionError(`DAG '${dag.dagId}': invalid group_id ${JSON.stringify(name)}: ${reason}`);
    if (name.includes('.'))
      throw new DagDefinitionError(`DAG '${dag.dagId}': invalid group_id '${name}': may not contain '.' (use nesting)`);
    const parent = options.parentGroup ?? null;
    if (parent !== null && (kindOf(parent) !== 'group' || parent.dag !== dag))
      throw new DagDefinitionError(`DAG '${dag.dagId}', group '${name}': parentGroup must be a group of the same DAG`);
    this.name = name;
    this.dag = dag;
    this.parentGroup = parent;
    this.groupId = parent ? parent.childId(name) : name;
    this.path = parent ? `${parent.path}.${name}` : name;
    this.prefixGroupId = options.prefixGroupId ?? true;
    this.defaultArgs = { ...(parent?.defaultArgs ?? {}), ...(options.defaultArgs ?? {}) };
    this.tooltip = options.tooltip ?? null;
    if (parent) {
      if (parent.children.some((child) => child.name === name))
        throw new DagDefinitionError(`DAG '${dag.dagId}': duplicate group '${this.path}'`);
      parent.children.push(this);
    }
  }

  /** The id a task or nested group named `label` gets inside this group. */
  childId(label: string): string {
    return this.prefixGroupId ? `${this.groupId}.${label}` : label;
  }

  /** Called by the task's constructor. */
  addTask(task: BaseOperator): void {
    this.memberIds.push(task.taskId);
  }

  /** Every task of the group and of its nested groups. */
  get tasks(): BaseOperator[] {
    return [...this.memberIds.map((id) => this.dag.getTask(id)), ...this.children.flatMap((child) => child.tasks)];
  }

  /** Tasks of the group with no upstream task inside it: what `x.then(group)` links to. */
  get roots(): BaseOperator[] {
    const ids = new Set(this.tasks.map((t) => t.taskId));
    return this.tasks.filter((t) => ![...t.upstreamTaskIds].some((id) => ids.has(id)));
  }

  /**
   * Tasks of the group with no downstream task inside it but teardowns: what `group.then(x)`
   * links from. Teardowns are not leaves (as in Airflow 2.7), so x follows the work, not its
   * clean-up.
   */
  get leaves(): BaseOperator[] {
    const work = this.tasks.filter((t) => !t.isTeardown);
    const ids = new Set(work.map((t) => t.taskId));
    return work.filter((t) => ![...t.downstreamTaskIds].some((id) => ids.has(id)));
  }

  /** `group.then(x)`: x runs after every leaf of the group. Returns x. */
  then<T extends TaskOrTasks>(other: T): T {
    this.setDownstream(other);
    return other;
  }

  setDownstream(other: TaskOrTasks): void {
    for (const leaf of this.leaves) leaf.setDownstream(other);
  }

  setUpstream(other: TaskOrTasks): void {
    for (const root of this.roots) root.setUpstream(other);
  }

  toString(): string {
    return `<TaskGroup: ${this.groupId}>`;
  }
}

/** True for a TaskGroup from any copy of the SDK. */
export function isTaskGroup(value: unknown): value is TaskGroup {
  return kindOf(value) === 'group';
}
