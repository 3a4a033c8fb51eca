import { CronTimetable, parseSchedule, timetableFromSpec } from '../../src/timetables';
import type { DagRunInfo, DataInterval } from '../../src/timetables';
import { FakeClock } from '../../src/core/clock';
import { d, dueRuns, iso, localTime, logicalDates, restriction } from './helpers';

const noon = new CronTimetable('0 12 * * *', 'UTC');

describe('CronTimetable data intervals (Airflow 2.6)', () => {
  test('a run covers [tick, next tick), is due at the end, and its logical date is the start', () => {
    const info = noon.nextDagRunInfo(
      null,
      restriction('2026-01-01T00:00:00Z', { catchup: true }),
      d('2026-01-01T00:00:00Z'),
    )!;
    expect(iso(info.logicalDate)).toBe('2026-01-01T12:00:00.000Z');
    expect(iso(info.dataInterval.start)).toBe('2026-01-01T12:00:00.000Z');
    expect(iso(info.dataInterval.end)).toBe('2026-01-02T12:00:00.000Z');
    expect(iso(info.runAfter)).toBe('2026-01-02T12:00:00.000Z');
  });

  test('a start date on a tick is the first logical date', () => {
    const info = noon.nextDagRunInfo(
      null,
      restriction('2026-01-01T12:00:00Z', { catchup: true }),
      d('2026-01-01T00:00:00Z'),
    )!;
    expect(iso(info.logicalDate)).toBe('2026-01-01T12:00:00.000Z');
  });

  test('catchup backfills every interval since the start date, then waits', () => {
    const clock = new FakeClock('2026-01-05T13:00:00Z');
    const limits = restriction('2026-01-01T00:00:00Z', { catchup: true });
    expect(logicalDates(dueRuns(noon, limits, clock.now()))).toEqual([
      '2026-01-01T12:00:00.000Z',
      '2026-01-02T12:00:00.000Z',
      '2026-01-03T12:00:00.000Z',
      '2026-01-04T12:00:00.000Z',
    ]);
    clock.advance('1d');
    expect(dueRuns(noon, limits, clock.now())).toHaveLength(5);
  });

  test('catchup continues from the last run even when it is long ago', () => {
    const last = { start: d('2025-12-01T12:00:00Z'), end: d('2025-12-02T12:00:00Z') };
    const info = noon.nextDagRunInfo(
      last,
      restriction('2025-01-01T00:00:00Z', { catchup: true }),
      d('2026-01-05T13:00:00Z'),
    )!;
    expect(iso(info.logicalDate)).toBe('2025-12-02T12:00:00.000Z');
  });

  test('without catchup only the latest complete interval runs', () => {
    const clock = new FakeClock('2026-01-05T13:00:00Z');
    const limits = restriction('2026-01-01T00:00:00Z', { catchup: false });
    const runs = dueRuns(noon, limits, clock.now());
    expect(logicalDates(runs)).toEqual(['2026-01-04T12:00:00.000Z']);
    expect(iso(runs[0].runAfter)).toBe('2026-01-05T12:00:00.000Z');
  });

  test('without catchup a stale last run skips forward to the latest interval', () => {
    const last = { start: d('2026-01-01T12:00:00Z'), end: d('2026-01-02T12:00:00Z') };
    const info = noon.nextDagRunInfo(last, restriction('2026-01-01T00:00:00Z'), d('2026-01-05T13:00:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-01-04T12:00:00.000Z');
  });

  test('without catchup a recent last run continues right after it', () => {
    const last = { start: d('2026-01-04T12:00:00Z'), end: d('2026-01-05T12:00:00Z') };
    const info = noon.nextDagRunInfo(last, restriction('2026-01-01T00:00:00Z'), d('2026-01-05T13:00:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-01-05T12:00:00.000Z');
    expect(iso(info.runAfter)).toBe('2026-01-06T12:00:00.000Z');
  });

  test('without catchup, now exactly on a tick makes the interval ending now due', () => {
    const info = noon.nextDagRunInfo(null, restriction('2026-01-01T00:00:00Z'), d('2026-01-05T12:00:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-01-04T12:00:00.000Z');
    expect(iso(info.runAfter)).toBe('2026-01-05T12:00:00.000Z');
  });

  test.each([true, false])('a start date in the future: nothing before it (catchup %s)', (catchup) => {
    const limits = restriction('2026-02-01T06:00:00Z', { catchup });
    const now = d('2026-01-05T13:00:00Z');
    const info = noon.nextDagRunInfo(null, limits, now)!;
    expect(iso(info.logicalDate)).toBe('2026-02-01T12:00:00.000Z');
    expect(iso(info.runAfter)).toBe('2026-02-02T12:00:00.000Z');
    expect(dueRuns(noon, limits, now)).toEqual([]);
  });

  test('an end date in the past: no run without catchup', () => {
    const limits = restriction('2025-01-01T00:00:00Z', { latest: '2025-06-01T12:00:00Z' });
    expect(noon.nextDagRunInfo(null, limits, d('2026-01-05T13:00:00Z'))).toBeNull();
  });

  test('an end date stops catchup after the interval starting at it', () => {
    const limits = restriction('2025-05-30T00:00:00Z', { latest: '2025-06-01T12:00:00Z', catchup: true });
    expect(logicalDates(dueRuns(noon, limits, d('2026-01-05T13:00:00Z')))).toEqual([
      '2025-05-30T12:00:00.000Z',
      '2025-05-31T12:00:00.000Z',
      '2025-06-01T12:00:00.000Z',
    ]);
  });

  test('no start date with catchup: nothing to anchor the first run', () => {
    expect(noon.nextDagRunInfo(null, restriction(null, { catchup: true }), d('2026-01-05T13:00:00Z'))).toBeNull();
  });

  test('no start date without catchup: the latest interval', () => {
    const info = noon.nextDagRunInfo(null, restriction(null), d('2026-01-05T13:00:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-01-04T12:00:00.000Z');
  });

  test('a manual run covers the last complete interval before it', () => {
    const midnight = new CronTimetable('0 0 * * *', 'UTC');
    const interval = midnight.inferManualDataInterval(d('2026-01-25T01:00:00Z'));
    expect([iso(interval.start), iso(interval.end)]).toEqual(['2026-01-24T00:00:00.000Z', '2026-01-25T00:00:00.000Z']);
    const onTick = midnight.inferManualDataInterval(d('2026-01-25T00:00:00Z'));
    expect([iso(onTick.start), iso(onTick.end)]).toEqual(['2026-01-24T00:00:00.000Z', '2026-01-25T00:00:00.000Z']);
  });

  test('summary describes the expression and the time zone', () => {
    expect(noon.summary).toBe('At 12:00 PM, UTC');
    expect(new CronTimetable('*/30 * * * *', 'Europe/Berlin').summary).toBe('Every 30 minutes, Europe/Berlin');
    expect(noon.periodic).toBe(true);
  });

  test('serializes back to its spec', () => {
    const spec = { kind: 'cron', expression: '0 12 * * *', timezone: 'America/New_York' } as const;
    expect(timetableFromSpec(spec).serialize()).toEqual(spec);
  });
});

describe('every preset', () => {
  // 2026-01-01 is a Thursday.
  test.each([
    ['@hourly', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', 'Every hour'],
    ['@daily', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'At 12:00 AM'],
    ['@midnight', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'At 12:00 AM'],
    ['@weekly', '2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z', 'At 12:00 AM, only on Sunday'],
    ['@monthly', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z', 'At 12:00 AM, on day 1 of the month'],
    [
      '@yearly',
      '2026-01-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
      'At 12:00 AM, on day 1 of the month, only in January',
    ],
    [
      '@annually',
      '2026-01-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
      'At 12:00 AM, on day 1 of the month, only in January',
    ],
  ])('%s', (preset, start, end, description) => {
    const timetable = timetableFromSpec(parseSchedule(preset));
    const info = timetable.nextDagRunInfo(
      null,
      restriction('2026-01-01T00:00:00Z', { catchup: true }),
      d('2026-01-01T00:00:00Z'),
    )!;
    expect([iso(info.dataInterval.start), iso(info.dataInterval.end), iso(info.runAfter)]).toEqual([start, end, end]);
    expect(timetable.summary).toBe(`${description}, UTC`);
    const second = timetable.nextDagRunInfo(
      info.dataInterval,
      restriction('2026-01-01T00:00:00Z', { catchup: true }),
      d('2026-01-01T00:00:00Z'),
    )!;
    expect(iso(second.dataInterval.start)).toBe(end);
  });
});

describe('cron in a time zone across DST changes', () => {
  const ticksOf = (expression: string, timeZone: string, from: string, count: number): Date[] => {
    const timetable = new CronTimetable(expression, timeZone);
    const limits = restriction(from, { catchup: true });
    const starts: Date[] = [];
    let last: DataInterval | null = null;
    for (let i = 0; i < count; i++) {
      const info: DagRunInfo = timetable.nextDagRunInfo(last, limits, d('2030-01-01T00:00:00Z'))!;
      starts.push(info.logicalDate);
      last = info.dataInterval;
    }
    return starts;
  };

  test("'0 12 * * *' stays at 12:00 local across spring-forward in Europe/Berlin (a 23h interval)", () => {
    const starts = ticksOf('0 12 * * *', 'Europe/Berlin', '2026-03-27T00:00:00Z', 4);
    expect(starts.map(iso)).toEqual([
      '2026-03-27T11:00:00.000Z',
      '2026-03-28T11:00:00.000Z',
      '2026-03-29T10:00:00.000Z',
      '2026-03-30T10:00:00.000Z',
    ]);
    expect(starts.map((s) => localTime(s, 'Europe/Berlin'))).toEqual([
      '2026-03-27 12:00',
      '2026-03-28 12:00',
      '2026-03-29 12:00',
      '2026-03-30 12:00',
    ]);
    expect(starts[2].getTime() - starts[1].getTime()).toBe(23 * 3_600_000);
  });

  test("'0 12 * * *' stays at 12:00 local across fall-back in America/New_York (a 25h interval)", () => {
    const starts = ticksOf('0 12 * * *', 'America/New_York', '2026-10-31T00:00:00Z', 3);
    expect(starts.map((s) => localTime(s, 'America/New_York'))).toEqual([
      '2026-10-31 12:00',
      '2026-11-01 12:00',
      '2026-11-02 12:00',
    ]);
    expect(starts[1].getTime() - starts[0].getTime()).toBe(25 * 3_600_000);
    expect(starts[2].getTime() - starts[1].getTime()).toBe(24 * 3_600_000);
  });

  test("'0 2 * * *' in America/New_York on spring-forward day runs once, at 03:00 EDT", () => {
    const starts = ticksOf('0 2 * * *', 'America/New_York', '2026-03-07T00:00:00Z', 3);
    expect(starts.map(iso)).toEqual([
      '2026-03-07T07:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:00:00.000Z',
    ]);
    expect(starts.map((s) => localTime(s, 'America/New_York'))).toEqual([
      '2026-03-07 02:00',
      '2026-03-08 03:00',
      '2026-03-09 02:00',
    ]);
  });

  test("'30 1 * * *' in America/New_York on fall-back day runs once, at the first 01:30", () => {
    const starts = ticksOf('30 1 * * *', 'America/New_York', '2026-10-31T00:00:00Z', 3);
    expect(starts.map(iso)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(starts.map((s) => localTime(s, 'America/New_York'))).toEqual([
      '2026-10-31 01:30',
      '2026-11-01 01:30',
      '2026-11-02 01:30',
    ]);
  });

  test("'0 2 * * *' in Europe/Berlin on spring-forward day runs at 03:00 CEST", () => {
    const starts = ticksOf('0 2 * * *', 'Europe/Berlin', '2026-03-28T00:00:00Z', 3);
    expect(starts.map(iso)).toEqual([
      '2026-03-28T01:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
  });

  test("'30 2 * * *' in Europe/Berlin on fall-back day runs once", () => {
    const starts = ticksOf('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00Z', 3);
    expect(starts.map(iso)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  test("'30 1 * * *' in Europe/Berlin is unaffected by the 02:00/03:00 changes", () => {
    const spring = ticksOf('30 1 * * *', 'Europe/Berlin', '2026-03-28T00:00:00Z', 3);
    expect(spring.map((s) => localTime(s, 'Europe/Berlin'))).toEqual([
      '2026-03-28 01:30',
      '2026-03-29 01:30',
      '2026-03-30 01:30',
    ]);
    const fall = ticksOf('30 1 * * *', 'Europe/Berlin', '2026-10-23T22:00:00Z', 3);
    expect(fall.map((s) => localTime(s, 'Europe/Berlin'))).toEqual([
      '2026-10-24 01:30',
      '2026-10-25 01:30',
      '2026-10-26 01:30',
    ]);
  });

  test('an hourly schedule keeps real one-hour intervals through both repeated hours', () => {
    const starts = ticksOf('0 * * * *', 'America/New_York', '2026-11-01T03:30:00Z', 5);
    expect(starts.map(iso)).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  test('an hourly schedule skips the missing hour on spring-forward day', () => {
    const starts = ticksOf('0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', 3);
    expect(starts.map((s) => localTime(s, 'America/New_York'))).toEqual([
      '2026-03-08 01:00',
      '2026-03-08 03:00',
      '2026-03-08 04:00',
    ]);
    expect(starts[1].getTime() - starts[0].getTime()).toBe(3_600_000);
  });

  test('without catchup across DST the latest interval is still the one ending at the last local noon', () => {
    const berlinNoon = new CronTimetable('0 12 * * *', 'Europe/Berlin');
    const info = berlinNoon.nextDagRunInfo(null, restriction('2026-01-01T00:00:00Z'), d('2026-03-29T10:30:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-03-28T11:00:00.000Z');
    expect(iso(info.runAfter)).toBe('2026-03-29T10:00:00.000Z');
  });

  test('a manual run on spring-forward day covers the (shortened) previous day', () => {
    const interval = new CronTimetable('0 2 * * *', 'America/New_York').inferManualDataInterval(
      d('2026-03-08T12:00:00Z'),
    );
    expect([iso(interval.start), iso(interval.end)]).toEqual(['2026-03-07T07:00:00.000Z', '2026-03-08T07:00:00.000Z']);
  });
});
