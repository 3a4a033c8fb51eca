import type { ScheduleSpec } from '../core/serialized-dag';
import { CronTimetable } from './cron-timetable';
import { IntervalTimetable } from './interval-timetable';
import { NullTimetable } from './null-timetable';
import { OnceTimetable } from './once-timetable';
import { PrecomputedTimetable } from './precomputed-timetable';
import type { Timetable } from './timetable';

export { CronTimetable } from './cron-timetable';
export { IntervalTimetable } from './interval-timetable';
export { NullTimetable } from './null-timetable';
export { OnceTimetable } from './once-timetable';
export { PrecomputedTimetable } from './precomputed-timetable';
export { nextRunInfos } from './next-run-infos';
export { formatEvery } from './format-every';
export { CRON_PRESETS, parseSchedule } from './schedule-spec';
export type { ScheduleOption } from './schedule-spec';
export type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './timetable';

/** The timetable for a stored schedule. */
export function timetableFromSpec(spec: ScheduleSpec): Timetable {
  switch (spec.kind) {
    case 'none':
    case 'dataset': // runs come from dataset events, never from the clock
      return new NullTimetable();
    case 'once':
      return new OnceTimetable();
    case 'cron':
      return new CronTimetable(spec.expression, spec.timezone, spec.expressions ?? null);
    case 'interval':
      return new IntervalTimetable(spec.everyMs);
    case 'precomputed':
      return new PrecomputedTimetable(spec);
  }
}
