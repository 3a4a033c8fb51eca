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
  let best: string | null = null;
  for (const state of states) {
    if (!state) continue;
    if (best === null || rank(state) < rank(best)) best = state;
  }
  // Some task not started while the others are done: the group is still in progress (a
  // failure or a running task still shows, whatever order the tasks come in).
  const notStarted = states.some((state) => !state);
  if (best !== null && notStarted && rank(best) >= rank('removed')) return 'scheduled';
  return best;
}

/** Position in PRIORITY; a state it does not know ranks first, so it is never hidden. */
function rank(state: string): number {
  return PRIORITY.indexOf(state);
}
