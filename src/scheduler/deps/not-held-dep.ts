import { failing, passing } from './dep-status';
import type { QueueDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

const NOT_HELD = passing('the task instance is not held');

/**
 * A task instance held by a user (`tasks hold`) is not queued until `tasks resume`; it stays
 * scheduled, so its run is not deadlocked, and its downstream tasks wait as for any unfinished task.
 */
export const NotHeldDep: TiDep<Pick<QueueDepContext, 'held'>> = {
  name: 'Task Instance Not Held',
  evaluate: ({ held }) => {
    if (!held) return NOT_HELD;
    const by = held.by ? `held by ${held.by}` : 'held';
    return failing(`${by}: ${held.reason ?? 'no reason given'} (release it with 'dagctl tasks resume')`);
  },
};
