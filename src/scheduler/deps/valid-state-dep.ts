import { TaskState, TaskStateOrNone } from '../../core/states';
import { DepStatus, failing, passing } from './dep-status';
import type { TiDep } from './ti-dep';

/** States the scheduler moves to `scheduled` once the scheduling rules pass. */
export const SCHEDULABLE_STATES: readonly TaskStateOrNone[] = [
  null,
  TaskState.UP_FOR_RETRY,
  TaskState.UP_FOR_RESCHEDULE,
];

/** States the queuer hands to the executor once the queueing rules pass. */
export const QUEUEABLE_STATES: readonly TaskStateOrNone[] = [TaskState.SCHEDULED];

const ALL_STATES: readonly TaskStateOrNone[] = [null, ...Object.values(TaskState)];

function whyNot(state: TaskStateOrNone): string {
  switch (state) {
    case null:
      return 'the task instance has not been scheduled yet';
    case TaskState.SCHEDULED:
      return 'the task instance is scheduled: it waits to be queued';
    case TaskState.QUEUED:
      return 'the task instance is queued: the executor starts it when a worker is free';
    case TaskState.RUNNING:
      return 'the task instance is running';
    case TaskState.UP_FOR_RETRY:
    case TaskState.UP_FOR_RESCHEDULE:
      return `the task instance is ${state}: it is scheduled again once its wait is over`;
    default:
      return `the task instance is ${state}, a finished state: clear it to run it again`;
  }
}

/**
 * Airflow's ValidStateDep: a rule set applies to task instances in some states only. The
 * verdicts are built once per state, since the scheduler asks this for every task of a run.
 */
export function validStateDep(allowed: readonly TaskStateOrNone[]): TiDep<{ state: TaskStateOrNone }> {
  const verdicts = new Map<TaskStateOrNone, DepStatus>(
    ALL_STATES.map((state) => [
      state,
      allowed.includes(state) ? passing(`the task instance is ${state ?? 'none'}`) : failing(whyNot(state)),
    ]),
  );
  return {
    name: 'Task Instance State',
    evaluate: ({ state }) => verdicts.get(state) ?? failing(`the task instance is in an unknown state '${state}'`),
  };
}

export const SchedulableStateDep = validStateDep(SCHEDULABLE_STATES);
export const QueueableStateDep = validStateDep(QUEUEABLE_STATES);
