import type { DagRunInfo, DataInterval, TimeRestriction, Timetable } from '../../src/timetables';

export const d = (iso: string): Date => new Date(iso);

export function restriction(
  earliest: string | null,
  opts: { latest?: string; catchup?: boolean } = {},
): TimeRestriction {
  return {
    earliest: earliest ? d(earliest) : null,
    latest: opts.latest ? d(opts.latest) : null,
    catchup: opts.catchup ?? false,
  };
}

/** Runs a scheduler would have created by `now`: follow nextDagRunInfo while runAfter ≤ now. */
export function dueRuns(timetable: Timetable, limits: TimeRestriction, now: Date, max = 1000): DagRunInfo[] {
  const runs: DagRunInfo[] = [];
  let last: DataInterval | null = null;
  while (runs.length < max) {
    const info = timetable.nextDagRunInfo(last, limits, now);
    if (!info || info.runAfter.getTime() > now.getTime()) break;
    runs.push(info);
    last = info.dataInterval;
  }
  return runs;
}

export const iso = (date: Date): string => date.toISOString();
export const logicalDates = (runs: DagRunInfo[]): string[] => runs.map((run) => iso(run.logicalDate));

/** The local wall-clock reading of an instant, 'YYYY-MM-DD HH:mm'. */
export function localTime(date: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return text.replace('T', ' ');
}
