import { TaskState, TaskStateOrNone } from '../../core/states';

/** The direct upstream task instances of one task instance, counted by state. */
export interface UpstreamCounts {
  total: number;
  success: number;
  skipped: number;
  /** `failed` only; upstream_failed is counted separately. */
  failed: number;
  upstreamFailed: number;
  removed: number;
  /** Finished upstream tasks: success + skipped + failed + upstreamFailed + removed. */
  done: number;
}

export function countUpstream(states: TaskStateOrNone[]): UpstreamCounts {
  const counts = noUpstream();
  for (const state of states) addUpstream(counts, state, 1);
  return counts;
}

/** The same counts from `[state, number of task instances]` pairs (SQL's GROUP BY state). */
export function countUpstreamByState(entries: Iterable<readonly [TaskStateOrNone, number]>): UpstreamCounts {
  const counts = noUpstream();
  for (const [state, n] of entries) addUpstream(counts, state, n);
  return counts;
}

function noUpstream(): UpstreamCounts {
  return { total: 0, success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0, done: 0 };
}

/** Count `n` more upstream task instances in `state` (n may be negative: taking some away). */
export function addUpstream(counts: UpstreamCounts, state: TaskStateOrNone, n: number): void {
  counts.total += n;
  if (state === TaskState.SUCCESS) counts.success += n;
  else if (state === TaskState.SKIPPED) counts.skipped += n;
  else if (state === TaskState.FAILED) counts.failed += n;
  else if (state === TaskState.UPSTREAM_FAILED) counts.upstreamFailed += n;
  else if (state === TaskState.REMOVED) counts.removed += n;
  else return;
  counts.done += n;
}
