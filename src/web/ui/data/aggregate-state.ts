/**
 * One state for a set of task instances (a collapsed task group): the most urgent wins, so a
 * failure inside a group is never hidden by its successes.
 */
const PRIORITY = [
  'failed',
  'upstream_failed',
  'up_for_retry',
  'up_for_reschedule',
  'restarting',
  'running',
  'queued',
  'scheduled',
  'removed',
  'skipped',
  'success',
];

export function aggregateState(states: Array<string | null | undefined>): string | null {
  if (states.length === 0) return null;
  // Some task not started while others finished: the group is still in progress.
  if (states.some((state) => !state) && states.some((state) => state)) {
    const active = states.find((state) => state && PRIORITY.indexOf(state) < PRIORITY.indexOf('removed'));
    return active ?? 'scheduled';
  }
  let best: string | null = null;
  for (const state of states) {
    if (!state) continue;
    if (best === null || PRIORITY.indexOf(state) < PRIORITY.indexOf(best)) best = state;
  }
  return best;
}
