import { failing, passing } from './dep-status';
import type { QueueDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

const BELOW = passing('below core.parallelism');

/** core.parallelism: at most this many task instances of all DAGs are queued or running at once. */
export const ParallelismDep: TiDep<Pick<QueueDepContext, 'slots'>> = {
  name: 'Parallelism',
  sharedByAll: true,
  evaluate({ slots }) {
    if (slots.totalActive < slots.parallelism) return BELOW;
    return failing(
      `${slots.totalActive} task instances of all DAGs are queued or running, core.parallelism is ${slots.parallelism}`,
    );
  },
};
