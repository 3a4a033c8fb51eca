import type { DataSource } from 'typeorm';
import { DagRunEntity } from '../../../db/entities';

/** Run states by how much they call for attention: a day shows the first one present. */
const RUN_STATE_PRIORITY = ['failed', 'running', 'queued', 'success'];

export interface CalendarDay {
  /** 'YYYY-MM-DD' (UTC). */
  date: string;
  /** Run count per run state that day. */
  counts: Record<string, number>;
  /** The state the day is coloured by: the most urgent among its runs; null: no run. */
  state: string | null;
  total: number;
}

export interface CalendarYear {
  year: number;
  /** Weeks (Monday first) of the year, as in a year-style calendar; null pads days of other years. */
  weeks: Array<Array<CalendarDay | null>>;
  /** Per week: the short name of the month starting in it ('Feb'), else ''. */
  monthLabels: string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface CalendarData {
  years: CalendarYear[];
  totalRuns: number;
}

/** The most urgent state among some runs (unknown states rank after the known ones). */
export function mostUrgentRunState(states: string[]): string | null {
  return byUrgency(states)[0] ?? null;
}

function byUrgency(states: string[]): string[] {
  const rank = (state: string): number => {
    const i = RUN_STATE_PRIORITY.indexOf(state);
    return i < 0 ? RUN_STATE_PRIORITY.length : i;
  };
  return [...states].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const dayOf = (date: Date): string => date.toISOString().slice(0, 10);

/** Run counts per UTC day of the runs' logical dates. */
export function aggregateRunsByDay(runs: Array<{ logicalDate: Date; state: string }>): Map<string, CalendarDay> {
  const days = new Map<string, CalendarDay>();
  for (const run of runs) {
    const date = dayOf(run.logicalDate);
    const day = days.get(date) ?? { date, counts: {}, state: null, total: 0 };
    day.counts[run.state] = (day.counts[run.state] ?? 0) + 1;
    day.total++;
    days.set(date, day);
  }
  for (const day of days.values()) {
    // the hover text lists the counts most urgent first
    const states = byUrgency(Object.keys(day.counts));
    day.counts = Object.fromEntries(states.map((state) => [state, day.counts[state]]));
    day.state = states[0] ?? null;
  }
  return days;
}

/** Every day of `year`, in week columns (Monday first), each with its runs' counts. */
export function calendarYear(year: number, days: Map<string, CalendarDay>): CalendarYear {
  const weeks: CalendarYear['weeks'] = [];
  let week: Array<CalendarDay | null> = [];
  const first = new Date(Date.UTC(year, 0, 1));
  for (let pad = (first.getUTCDay() + 6) % 7; pad > 0; pad--) week.push(null);
  for (let d = first; d.getUTCFullYear() === year; d = new Date(d.getTime() + 86_400_000)) {
    const date = dayOf(d);
    week.push(days.get(date) ?? { date, counts: {}, state: null, total: 0 });
    if (week.length === 7) {
      weeks.push(week);
      week = [];
    }
  }
  if (week.length > 0) weeks.push([...week, ...Array<null>(7 - week.length).fill(null)]);
  const monthLabels = weeks.map((days) => {
    const first = days.find((day) => day?.date.endsWith('-01'));
    return first ? MONTHS[Number(first.date.slice(5, 7)) - 1] : '';
  });
  return { year, weeks, monthLabels };
}

/**
 * The calendar of a DAG: one year-style grid per year that has runs (newest first, at most
 * `maxYears`), or the current year when there are none.
 */
export function buildCalendar(
  runs: Array<{ logicalDate: Date; state: string }>,
  now: Date,
  maxYears = 3,
): CalendarData {
  const days = aggregateRunsByDay(runs);
  const years = [...new Set(runs.map((run) => run.logicalDate.getUTCFullYear()))].sort((a, b) => b - a);
  const shown = years.length > 0 ? years.slice(0, maxYears) : [now.getUTCFullYear()];
  return { years: shown.map((year) => calendarYear(year, days)), totalRuns: runs.length };
}

/** The logical dates and states of a DAG's runs (newest first, at most `limit`). */
export async function loadCalendarRuns(
  dataSource: DataSource,
  dagId: string,
  limit = 20_000,
): Promise<Array<{ logicalDate: Date; state: string }>> {
  const rows = await dataSource.getRepository(DagRunEntity).find({
    select: { logicalDate: true, state: true },
    where: { dagId },
    order: { logicalDate: 'DESC' },
    take: limit,
  });
  return rows.map((row) => ({ logicalDate: new Date(row.logicalDate), state: row.state }));
}
