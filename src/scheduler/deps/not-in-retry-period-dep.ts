import { TaskState } from '../../core/states';
import { failing, passing } from './dep-status';
import type { ScheduleDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

/** A task waiting out its retry delay (or a rescheduled sensor's poke interval) may not start early. */
export const NotInRetryPeriodDep: TiDep<Pick<ScheduleDepContext, 'state' | 'nextTryAt' | 'now'>> = {
  name: 'Not In Retry Period',
  evaluate({ state, nextTryAt, now }) {
    if (state !== TaskState.UP_FOR_RETRY && state !== TaskState.UP_FOR_RESCHEDULE) {
      return passing(`not waiting to retry (state ${state ?? 'none'})`);
    }
    if (nextTryAt && nextTryAt.getTime() > now.getTime()) {
      const what = state === TaskState.UP_FOR_RESCHEDULE ? 'rescheduled sensor is' : 'task is';
      return failing(`${what} in retry period until ${nextTryAt.toISOString()}`, { until: nextTryAt });
    }
    return passing(nextTryAt ? `retry period ended at ${nextTryAt.toISOString()}` : 'no retry period set');
  },
};
