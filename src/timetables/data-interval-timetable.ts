import type { ScheduleSpec } from '../core/serialized-dag';
import { alignToNext, alignToPrev, TickSource } from './tick-source';
import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './timetable';

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * Shared logic of the periodic timetables (cron and interval), with Airflow 2.6 semantics: a run
 * covers [tick, next tick), is created at the interval's end and its logical date is the start.
 */
export abstract class DataIntervalTimetable implements Timetable {
  abstract readonly summary: string;
  readonly periodic = true;

  /** The ticks to use under this restriction (interval schedules anchor at the start date). */
  protected abstract ticksFor(restriction: TimeRestriction | null): TickSource;
  abstract serialize(): ScheduleSpec;

  nextDagRunInfo(
    lastAutomatedDataInterval: DataInterval | null,
    restriction: TimeRestriction,
    now: Date,
  ): DagRunInfo | null {
    const ticks = this.ticksFor(restriction);
    let earliest: Date | null = null;
    if (restriction.earliest) {
      earliest = alignToNext(ticks, restriction.earliest);
      if (!earliest) return null; // the schedule never fires after the start date
    }
    // Skipping to the latest interval matters only once the start date has passed.
    if (!restriction.catchup && !(earliest && earliest.getTime() > now.getTime())) {
      const latestComplete = this.latestCompleteIntervalStart(ticks, now);
      if (latestComplete) earliest = earliest ? later(earliest, latestComplete) : latestComplete;
    }

    let start: Date | null;
    if (lastAutomatedDataInterval === null) {
      start = earliest;
    } else {
      // Re-align in case the schedule changed since the last run.
      const afterLast = alignToPrev(ticks, lastAutomatedDataInterval.end) ?? lastAutomatedDataInterval.end;
      start = earliest ? later(afterLast, earliest) : afterLast;
    }
    if (!start) return null;
    if (restriction.latest && start.getTime() > restriction.latest.getTime()) return null;
    const end = ticks.next(start);
    if (!end) return null;
    return { logicalDate: start, dataInterval: { start, end }, runAfter: end };
  }

  /** A manual run at `runAfter` covers the last complete interval before it. */
  inferManualDataInterval(runAfter: Date): DataInterval {
    const ticks = this.ticksFor(null);
    const end = alignToPrev(ticks, runAfter) ?? runAfter;
    const start = ticks.prev(end) ?? end;
    return { start, end };
  }

  /** Airflow's "skip to latest": the start of the last interval that has ended by `now`. */
  private latestCompleteIntervalStart(ticks: TickSource, now: Date): Date | null {
    const lastTick = alignToPrev(ticks, now);
    return lastTick ? ticks.prev(lastTick) : null;
  }
}
