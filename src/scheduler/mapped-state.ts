import { isFinishedTaskState, TaskState, TaskStateOrNone } from '../core/states';

/** An active state first: a mapped task with one of its instances in it is still moving. */
const ACTIVE_FIRST: TaskStateOrNone[] = [
  TaskState.RUNNING,
  TaskState.QUEUED,
  TaskState.RESTARTING,
  TaskState.SCHEDULED,
  TaskState.UP_FOR_RETRY,
  TaskState.UP_FOR_RESCHEDULE,
];

/**
 * The state of an expanded mapped task as a whole, from its task instances' states (what the
 * run's end and its deadlock check look at): unfinished while any instance is (an active state
 * when there is one), else failed if any failed, upstream_failed if any was, success if any
 * succeeded, skipped when all were skipped or removed. Downstream trigger rules count each
 * instance on its own instead.
 */
export function mappedTaskState(states: Iterable<TaskStateOrNone>): TaskStateOrNone {
  const all = [...states];
  const unfinished = all.filter((state) => !isFinishedTaskState(state));
  if (unfinished.length > 0) return ACTIVE_FIRST.find((state) => unfinished.includes(state)) ?? unfinished[0];
  for (const state of [TaskState.FAILED, TaskState.UPSTREAM_FAILED, TaskState.SUCCESS])
    if (all.includes(state)) return state;
  return TaskState.SKIPPED;
}
