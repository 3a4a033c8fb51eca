import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from './timetable';

/** The next `count` runs the scheduler would create after `last` (for `dags next-execution -n N`). */
export function nextRunInfos(
  timetable: Timetable,
  restriction: TimeRestriction,
  last: DataInterval | null,
  now: Date,
  count: number,
): DagRunInfo[] {
  const infos: DagRunInfo[] = [];
  let previous = last;
  while (infos.length < count) {
    const info = timetable.nextDagRunInfo(previous, restriction, now);
    if (!info) break;
    // A timetable that does not move forward would loop forever; stop instead.
    if (previous && info.dataInterval.start.getTime() <= previous.start.getTime()) break;
    infos.push(info);
    previous = info.dataInterval;
  }
  return infos;
}
