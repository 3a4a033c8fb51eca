/**
 * Which failures of a hand run's heartbeat to warn about: a database outage fails every beat, and
 * one warning per beat (several a second with a short interval) would flood the task log. Warns on
 * the first failure and then at most once per `everyMs` while they go on; says how long they went
 * on once a beat succeeds again.
 */
export class BeatFailureThrottle {
  private failingSinceMs: number | null = null;
  private lastWarnMs = -Infinity;

  constructor(private readonly everyMs: number) {}

  /** A beat failed at `nowMs`: true when this failure is to be warned about. */
  failed(nowMs: number): boolean {
    this.failingSinceMs ??= nowMs;
    if (nowMs - this.lastWarnMs < this.everyMs) return false;
    this.lastWarnMs = nowMs;
    return true;
  }

  /** A beat succeeded at `nowMs`: how long beats had failed before it, or null when none had. */
  succeeded(nowMs: number): number | null {
    const since = this.failingSinceMs;
    this.failingSinceMs = null;
    this.lastWarnMs = -Infinity;
    return since === null ? null : nowMs - since;
  }
}
