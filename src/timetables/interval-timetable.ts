import type { ScheduleSpec } from '../core/serialized-dag';
import { DataIntervalTimetable } from './data-interval-timetable';
import { formatEvery } from './format-every';
import type { TickSource } from './tick-source';
import type { TimeRestriction } from './timetable';

/** Ticks every `everyMs`, aligned to `anchorMs` (the DAG's start date, else the epoch). */
class FixedTicks implements TickSource {
  constructor(
    private readonly everyMs: number,
    private readonly anchorMs: number,
  ) {}

  next(instant: Date): Date {
    const steps = Math.floor((instant.getTime() - this.anchorMs) / this.everyMs) + 1;
    return new Date(this.anchorMs + steps * this.everyMs);
  }

  prev(instant: Date): Date {
    const steps = Math.ceil((instant.getTime() - this.anchorMs) / this.everyMs) - 1;
    return new Date(this.anchorMs + steps * this.everyMs);
  }
}

/** `{ every: '30m' }`: back-to-back intervals of a fixed length starting at the start date. */
export class IntervalTimetable extends DataIntervalTimetable {
  readonly summary: string;

  constructor(readonly everyMs: number) {
    super();
    if (!(everyMs > 0)) throw new Error(`interval schedule: every must be a positive duration, got ${everyMs}`);
    this.summary = `every ${formatEvery(everyMs)}`;
  }

  protected ticksFor(restriction: TimeRestriction | null): TickSource {
    return new FixedTicks(this.everyMs, restriction?.earliest?.getTime() ?? 0);
  }

  /** Airflow: a manual run covers the `every` long period ending when it was triggered. */
  override inferManualDataInterval(runAfter: Date) {
    return { start: new Date(runAfter.getTime() - this.everyMs), end: runAfter };
  }

  serialize(): ScheduleSpec {
    return { kind: 'interval', everyMs: this.everyMs };
  }
}
