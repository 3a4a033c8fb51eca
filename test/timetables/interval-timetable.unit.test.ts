import { IntervalTimetable, parseSchedule, timetableFromSpec } from '../../src/timetables';
import { FakeClock } from '../../src/core/clock';
import { d, dueRuns, iso, logicalDates, restriction } from './helpers';

const every30m = timetableFromSpec(parseSchedule({ every: '30m' }));

describe('IntervalTimetable', () => {
  test('parses from { every } and describes itself', () => {
    expect(every30m).toBeInstanceOf(IntervalTimetable);
    expect(every30m.summary).toBe('every 30m');
    expect(new IntervalTimetable(5_400_000).summary).toBe('every 1h30m');
    expect(new IntervalTimetable(86_400_000).summary).toBe('every 1d');
    expect(new IntervalTimetable(1500).summary).toBe('every 1s500ms');
    expect(every30m.serialize()).toEqual({ kind: 'interval', everyMs: 1_800_000 });
  });

  test('rejects a non-positive interval', () => {
    expect(() => new IntervalTimetable(0)).toThrow(/positive/);
  });

  test('catchup runs every interval from the start date, aligned to it', () => {
    const clock = new FakeClock('2026-01-01T01:30:00Z');
    const limits = restriction('2026-01-01T00:10:00Z', { catchup: true });
    const runs = dueRuns(every30m, limits, clock.now());
    expect(runs.map((r) => [iso(r.dataInterval.start), iso(r.dataInterval.end)])).toEqual([
      ['2026-01-01T00:10:00.000Z', '2026-01-01T00:40:00.000Z'],
      ['2026-01-01T00:40:00.000Z', '2026-01-01T01:10:00.000Z'],
    ]);
    clock.advance('10m');
    expect(logicalDates(dueRuns(every30m, limits, clock.now()))).toHaveLength(3);
  });

  test('without catchup only the latest complete interval, still aligned to the start date', () => {
    const runs = dueRuns(every30m, restriction('2026-01-01T00:10:00Z'), d('2026-01-01T05:00:00Z'));
    expect(runs.map((r) => [iso(r.dataInterval.start), iso(r.runAfter)])).toEqual([
      ['2026-01-01T04:10:00.000Z', '2026-01-01T04:40:00.000Z'],
    ]);
  });

  test('without catchup a recent last run continues right after it', () => {
    const last = { start: d('2026-01-01T04:10:00Z'), end: d('2026-01-01T04:40:00Z') };
    const info = every30m.nextDagRunInfo(last, restriction('2026-01-01T00:10:00Z'), d('2026-01-01T05:00:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-01-01T04:40:00.000Z');
    expect(iso(info.runAfter)).toBe('2026-01-01T05:10:00.000Z');
  });

  test('without a start date intervals align to the epoch', () => {
    const info = every30m.nextDagRunInfo(null, restriction(null), d('2026-01-01T05:07:00Z'))!;
    expect([iso(info.dataInterval.start), iso(info.dataInterval.end)]).toEqual([
      '2026-01-01T04:30:00.000Z',
      '2026-01-01T05:00:00.000Z',
    ]);
  });

  test('a start date in the future: the first interval starts at it', () => {
    const limits = restriction('2026-03-01T00:00:00Z', { catchup: true });
    const info = every30m.nextDagRunInfo(null, limits, d('2026-01-01T00:00:00Z'))!;
    expect(iso(info.logicalDate)).toBe('2026-03-01T00:00:00.000Z');
    expect(dueRuns(every30m, limits, d('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  test('no interval starts after the end date', () => {
    const limits = restriction('2026-01-01T00:00:00Z', { latest: '2026-01-01T01:00:00Z', catchup: true });
    expect(logicalDates(dueRuns(every30m, limits, d('2026-01-02T00:00:00Z')))).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(
      every30m.nextDagRunInfo(
        null,
        restriction('2025-01-01T00:00:00Z', { latest: '2025-02-01T00:00:00Z' }),
        d('2026-01-01T00:00:00Z'),
      ),
    ).toBeNull();
  });

  test('a manual run covers the interval ending when it was triggered (Airflow)', () => {
    const interval = every30m.inferManualDataInterval(d('2026-01-01T05:07:00Z'));
    expect([iso(interval.start), iso(interval.end)]).toEqual(['2026-01-01T04:37:00.000Z', '2026-01-01T05:07:00.000Z']);
  });

  test('a DST change does not move fixed intervals', () => {
    const hourly = timetableFromSpec(parseSchedule({ every: '1h' }, 'America/New_York'));
    const runs = dueRuns(hourly, restriction('2026-11-01T04:00:00Z', { catchup: true }), d('2026-11-01T08:00:00Z'));
    expect(runs.map((r) => r.dataInterval.end.getTime() - r.dataInterval.start.getTime())).toEqual([
      3_600_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });
});
