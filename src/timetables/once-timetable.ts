import type { ScheduleSpec } from '../core/serialized-dag';
import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './timetable';

/** `@once`: a single run whose logical date is the start date (regardless of catchup). */
export class OnceTimetable implements Timetable {
  readonly summary = '@once';
  readonly periodic = false;

  nextDagRunInfo(lastAutomatedDataInterval: DataInterval | null, restriction: TimeRestriction): DagRunInfo | null {
    if (lastAutomatedDataInterval !== null) return null; // already ran
    const at = restriction.earliest;
    if (!at) return null; // no start date: nothing to anchor the run to
    if (restriction.latest && at.getTime() > restriction.latest.getTime()) return null;
    return { logicalDate: at, dataInterval: { start: at, end: at }, runAfter: at };
  }

  inferManualDataInterval(runAfter: Date): DataInterval {
    return { start: runAfter, end: runAfter };
  }

  serialize(): ScheduleSpec {
    return { kind: 'once' };
  }
}
