/**
 * Paces a cost that grows with what was recorded: the scheduler publishing its metrics (the
 * registry's JSON written into its job row). A summary series per task makes that cost grow with
 * the tasks that ran — for a 10,000-task DAG, ~50–100 ms to compute quantiles and serialise (timed by
 * the caller; the write is left out, as it may wait behind the loop) — so after a publish that
 * took `d`, the next waits `d / maxShare` (publishing then takes at most `maxShare` of the
 * scheduler's time), but never longer than `maxWaitMs`. A small registry costs a few milliseconds
 * and is still published on every heartbeat.
 */
export class PublishPacer {
  private nextAtMs = -Infinity;

  constructor(
    private readonly maxShare = 0.02,
    private readonly maxWaitMs = 60_000,
  ) {}

  /** Whether a publish is due at `nowMs` (monotonic milliseconds). */
  due(nowMs: number): boolean {
    return nowMs >= this.nextAtMs;
  }

  /** A publish ran from `startedMs` to `endedMs`. */
  published(startedMs: number, endedMs: number): void {
    const wait = Math.min((endedMs - startedMs) / this.maxShare, this.maxWaitMs);
    this.nextAtMs = endedMs + wait;
  }
}
