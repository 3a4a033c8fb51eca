import type { Clock } from '../../src/core/clock';

/** Wall time plus an offset the test moves: a jump, as NTP or a VM resume makes one. */
export class JumpingClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  jump(byMs: number): void {
    this.offsetMs += byMs;
  }
}
