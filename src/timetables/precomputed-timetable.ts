import type { PrecomputedScheduleSpec, ScheduleSpec } from '../core/serialized-dag';
import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './timetable';

/**
 * A custom timetable as the scheduler sees it: the answers its class gave at parse time. The run
 * after the last automated interval is the first stored run starting at or after that interval's
 * end; with catchup off, the latest of those already due (Airflow's skip to the latest).
 */
export class PrecomputedTimetable implements Timetable {
  readonly periodic = true;
  readonly summary: string;

  constructor(private readonly spec: PrecomputedScheduleSpec) {
    this.summary = spec.className;
  }

  nextDagRunInfo(last: DataInterval | null, restriction: TimeRestriction, now: Date): DagRunInfo | null {
    const after = last ? last.end.getTime() : -Infinity;
    const candidates = this.spec.runs.filter((r) => Date.parse(r.start) >= after);
    let pick = candidates[0];
    if (!pick) return null;
    if (!restriction.catchup) {
      const due = candidates.filter((r) => Date.parse(r.runAfter) <= now.getTime());
      if (due.length > 0) pick = due[due.length - 1];
    }
    if (restriction.latest && Date.parse(pick.start) > restriction.latest.getTime()) return null;
    const start = new Date(pick.start);
    return { logicalDate: start, dataInterval: { start, end: new Date(pick.end) }, runAfter: new Date(pick.runAfter) };
  }

  /** The class's answer at the latest moment it was asked at or before `runAfter`; zero-length before any. */
  inferManualDataInterval(runAfter: Date): DataInterval {
    let answer: DataInterval = { start: runAfter, end: runAfter };
    for (const m of this.spec.manual) {
      if (Date.parse(m.from) > runAfter.getTime()) break;
      answer = { start: new Date(m.start), end: new Date(m.end) };
    }
    return answer;
  }

  serialize(): ScheduleSpec {
    return this.spec;
  }
}
