import { failing, passing } from './dep-status';
import type { QueueDepContext, SlotUsage } from './dep-context';
import type { TiDep } from './ti-dep';

const BELOW = passing('the DAG is below its max_active_tasks');
const UNKNOWN = failing('the DAG has no serialized version: it waits for the DAG processor to parse it');

/**
 * max_active_tasks: at most this many task instances of one DAG (all its runs) are queued or
 * running at once. (The per-task limit, max_active_tis_per_dag, is TaskConcurrencyDep.)
 */
export const DagMaxActiveTasksDep: TiDep<Pick<QueueDepContext, 'dagId' | 'maxActiveTasks' | 'slots'>> = {
  name: 'Task Instance Slots Available',
  evaluate({ dagId, maxActiveTasks, slots }) {
    if (maxActiveTasks === null) return UNKNOWN;
    const active = slots.dagActive.get(dagId) ?? 0;
    if (active < maxActiveTasks) return BELOW;
    return failing(
      `the DAG has ${active} task instance${active === 1 ? '' : 's'} queued or running, ` +
        `its max_active_tasks is ${maxActiveTasks}`,
    );
  },
};

/**
 * The DAGs among `dagIds` whose every task instance this rule refuses — at their limit, or without
 * a serialized version: the queuer leaves their task instances out of its query.
 */
export function dagsRefusedByMaxActiveTasks(
  slots: SlotUsage,
  dagIds: Iterable<string>,
  maxActiveTasksOf: (dagId: string) => number | null,
): string[] {
  const out: string[] = [];
  for (const dagId of dagIds) {
    const maxActiveTasks = maxActiveTasksOf(dagId);
    if (!DagMaxActiveTasksDep.evaluate({ dagId, maxActiveTasks, slots }).passed) out.push(dagId);
  }
  return out;
}

/**
 * How many more task instances these DAGs may have queued or running under max_active_tasks, in
 * all (a DAG without a serialized version may have none): no more than this can be queued.
 */
export function roomUnderMaxActiveTasks(
  slots: SlotUsage,
  dagIds: Iterable<string>,
  maxActiveTasksOf: (dagId: string) => number | null,
): number {
  let room = 0;
  for (const dagId of dagIds) room += Math.max(0, (maxActiveTasksOf(dagId) ?? 0) - (slots.dagActive.get(dagId) ?? 0));
  return room;
}
