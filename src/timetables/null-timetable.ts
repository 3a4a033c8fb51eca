import type { ScheduleSpec } from '../core/serialized-dag';
import type { DagRunInfo, DataInterval, Timetable } from './timetable';

/** `schedule: null`: the scheduler never creates runs; only manual triggers do. */
export class NullTimetable implements Timetable {
  readonly summary = 'None';
  readonly periodic = false;

  nextDagRunInfo(): DagRunInfo | null {
    return null;
  }

  inferManualDataInterval(runAfter: Date): DataInterval {
    return { start: runAfter, end: runAfter };
  }

  serialize(): ScheduleSpec {
    return { kind: 'none' };
  }
}
