import { Duration, parseDuration } from './duration';

/** Decision code takes a Clock instead of calling `new Date()`, so tests can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: starts at a fixed instant and moves only when told. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(by: Duration): Date {
    this.current += parseDuration(by);
    return this.now();
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
}
