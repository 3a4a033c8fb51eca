import type { SerializedTask } from '../../../core/serialized-dag';
import { FINISHED_TASK_STATES, type TaskState } from '../../../core/states';
import type { TaskInstanceEntity } from '../../../db/entities';
import type { GanttInput } from '../charts/gantt-layout';
import { aggregateState } from './aggregate-state';

type TiTimes = Pick<TaskInstanceEntity, 'taskId' | 'state' | 'tryNumber' | 'startDate' | 'endDate'>;

/**
 * One Gantt row per task of one run. A mapped task's instances share its row: the bar spans from
 * the first start to the last end (to now while any instance is unfinished) and shows the most
 * urgent state, so one failed instance is not hidden behind whichever was read last.
 */
export function ganttRows(tasks: Array<Pick<SerializedTask, 'taskId'>>, tis: TiTimes[]): GanttInput[] {
  const byTask = new Map<string, TiTimes[]>();
  for (const ti of tis) byTask.set(ti.taskId, [...(byTask.get(ti.taskId) ?? []), ti]);
  return tasks.map(({ taskId }) => {
    const instances = byTask.get(taskId) ?? [];
    const starts = instances.flatMap((ti) => (ti.startDate ? [ti.startDate.getTime()] : []));
    const unfinished = instances.some((ti) => !FINISHED_TASK_STATES.includes(ti.state as TaskState));
    const ends = instances.flatMap((ti) => (ti.endDate ? [ti.endDate.getTime()] : []));
    return {
      taskId,
      state: aggregateState(instances.map((ti) => ti.state)),
      tryNumber: Math.max(0, ...instances.map((ti) => ti.tryNumber)),
      startDate: starts.length ? new Date(Math.min(...starts)) : null,
      endDate: !unfinished && ends.length ? new Date(Math.max(...ends)) : null,
    };
  });
}
