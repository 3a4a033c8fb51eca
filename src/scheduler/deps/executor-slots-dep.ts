import { failing, passing } from './dep-status';
import type { QueueDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

const FREE = passing('the executor has a free slot');
const UNKNOWN = passing("the executor's free slots are counted by the scheduler when it queues");
const FULL = failing('the executor has no free slot: every worker slot is busy');

/** The executor takes only as many task instances as it has free slots (worker concurrency). */
export const ExecutorSlotsDep: TiDep<Pick<QueueDepContext, 'slots'>> = {
  name: 'Executor Slots Available',
  sharedByAll: true,
  evaluate({ slots }) {
    if (slots.executorSlotsFree === null) return UNKNOWN;
    return slots.executorSlotsFree > 0 ? FREE : FULL;
  },
};
