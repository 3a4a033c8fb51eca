import { TaskState, TaskStateOrNone } from '../../core/states';
import { DepStatus, failing, passing } from './dep-status';

export interface RetryPeriodInput {
  state: TaskStateOrNone;
  /** When the next try (or the sensor's next poke) may start; null if not waiting. */
  nextTryAt: Date | null;
  now: Date;
}

/** A task waiting out its retry delay (or a rescheduled sensor's poke interval) may not start early. */
export function notInRetryPeriodDep({ state, nextTryAt, now }: RetryPeriodInput): DepStatus {
  if (state !== TaskState.UP_FOR_RETRY && state !== TaskState.UP_FOR_RESCHEDULE) {
    return passing(`not waiting to retry (state ${state ?? 'none'})`);
  }
  if (nextTryAt && nextTryAt.getTime() > now.getTime()) {
    const what = state === TaskState.UP_FOR_RESCHEDULE ? 'rescheduled sensor is' : 'task is';
    return failing(`${what} in retry period until ${nextTryAt.toISOString()}`);
  }
  return passing(nextTryAt ? `retry period ended at ${nextTryAt.toISOString()}` : 'no retry period set');
}
