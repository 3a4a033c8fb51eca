import { failing, passing } from './dep-status';
import { type QueueDepContext, type SlotUsage, taskActiveKey } from './dep-context';
import type { TiDep } from './ti-dep';

const NO_LIMIT = passing('the task has no max_active_tis_per_dag');

/**
 * max_active_tis_per_dag (Airflow's TaskConcurrencyDep): at most this many instances of one task
 * are queued or running at once, across all runs of its DAG.
 */
export const TaskConcurrencyDep: TiDep<Pick<QueueDepContext, 'dagId' | 'taskId' | 'maxActiveTisPerDag' | 'slots'>> = {
  name: 'Task Concurrency',
  evaluate({ dagId, taskId, maxActiveTisPerDag, slots }) {
    if (maxActiveTisPerDag === null) return NO_LIMIT;
    const active = slots.taskActive.get(taskActiveKey(dagId, taskId)) ?? 0;
    if (active < maxActiveTisPerDag)
      return passing(`${active} of max_active_tis_per_dag ${maxActiveTisPerDag} instances of the task are active`);
    return failing(
      `the task has ${active} instance${active === 1 ? '' : 's'} queued or running across runs, ` +
        `its max_active_tis_per_dag is ${maxActiveTisPerDag}`,
    );
  },
};

/** A task that sets max_active_tis_per_dag. */
export interface TaskWithMaxActiveTis {
  dagId: string;
  taskId: string;
  maxActiveTisPerDag: number;
}

/**
 * The tasks among `tasks` whose every instance this rule refuses now (Airflow's starved tasks):
 * the queuer leaves their task instances out of its query. Only tasks whose count of active
 * instances is known (slots.taskActive) can be told to be at their limit.
 */
export function tasksRefusedByTaskConcurrency(
  slots: SlotUsage,
  tasks: Iterable<TaskWithMaxActiveTis>,
): TaskWithMaxActiveTis[] {
  const out: TaskWithMaxActiveTis[] = [];
  for (const t of tasks) {
    if (!slots.taskActive.has(taskActiveKey(t.dagId, t.taskId))) continue;
    if (!TaskConcurrencyDep.evaluate({ ...t, slots }).passed) out.push(t);
  }
  return out;
}
