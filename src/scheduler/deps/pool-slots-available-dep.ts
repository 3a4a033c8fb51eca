import { failing, passing } from './dep-status';
import type { QueueDepContext, SlotUsage } from './dep-context';
import type { TiDep } from './ti-dep';

const OPEN = passing('the pool has enough open slots');

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A task instance takes its pool_slots of its pool; it waits while they are not all open. */
export const PoolSlotsAvailableDep: TiDep<Pick<QueueDepContext, 'pool' | 'poolSlots' | 'slots'>> = {
  name: 'Pool Slots Available',
  evaluate({ pool, poolSlots, slots }) {
    const capacity = slots.poolCapacity.get(pool);
    if (capacity === undefined) {
      return failing(`pool '${pool}' does not exist: create it with 'dagctl pools set ${pool} SLOTS'`);
    }
    const used = slots.poolUsed.get(pool) ?? 0;
    if (used + poolSlots <= capacity) return OPEN;
    return failing(
      `pool '${pool}' is full: ${plural(Math.max(0, capacity - used), 'slot')} of ${capacity} open, ` +
        `the task needs ${poolSlots}`,
    );
  },
};

/** Pools with at least one open slot: the queuer asks only for task instances of these. */
export function poolsWithOpenSlots(slots: SlotUsage): string[] {
  return [...openPoolSlots(slots).keys()];
}

/**
 * The open slots of each pool that has any: this rule refuses every task instance of another pool,
 * and of these pools every one needing more slots than are open (the queuer leaves them out of its
 * query; taking slots only ever closes more).
 */
export function openPoolSlots(slots: SlotUsage): Map<string, number> {
  const open = new Map<string, number>();
  for (const [pool, capacity] of slots.poolCapacity) {
    const free = capacity - (slots.poolUsed.get(pool) ?? 0);
    if (free > 0) open.set(pool, free);
  }
  return open;
}
