import { NullTimetable, OnceTimetable, parseSchedule, timetableFromSpec } from '../../src/timetables';
import { d, dueRuns, iso, restriction } from './helpers';

describe('OnceTimetable (@once)', () => {
  const once = timetableFromSpec(parseSchedule('@once'));

  test('one run whose logical date is the start date, then none', () => {
    expect(once).toBeInstanceOf(OnceTimetable);
    const limits = restriction('2026-01-01T00:00:00Z');
    const info = once.nextDagRunInfo(null, limits, d('2026-02-01T00:00:00Z'))!;
    expect([
      iso(info.logicalDate),
      iso(info.dataInterval.start),
      iso(info.dataInterval.end),
      iso(info.runAfter),
    ]).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(once.nextDagRunInfo(info.dataInterval, limits, d('2026-02-01T00:00:00Z'))).toBeNull();
    expect(dueRuns(once, limits, d('2026-02-01T00:00:00Z'))).toHaveLength(1);
  });

  test('ignores catchup and waits for a future start date', () => {
    const limits = restriction('2026-06-01T00:00:00Z', { catchup: true });
    expect(iso(once.nextDagRunInfo(null, limits, d('2026-01-01T00:00:00Z'))!.runAfter)).toBe(
      '2026-06-01T00:00:00.000Z',
    );
    expect(dueRuns(once, limits, d('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  test('no start date or a start after the end date: no run', () => {
    expect(once.nextDagRunInfo(null, restriction(null), d('2026-01-01T00:00:00Z'))).toBeNull();
    expect(
      once.nextDagRunInfo(
        null,
        restriction('2026-06-01T00:00:00Z', { latest: '2026-05-01T00:00:00Z' }),
        d('2026-01-01T00:00:00Z'),
      ),
    ).toBeNull();
  });

  test('describes itself and infers a point interval for manual runs', () => {
    expect(once.summary).toBe('@once');
    expect(once.periodic).toBe(false);
    expect(once.serialize()).toEqual({ kind: 'once' });
    const interval = once.inferManualDataInterval(d('2026-01-05T10:00:00Z'));
    expect([iso(interval.start), iso(interval.end)]).toEqual(['2026-01-05T10:00:00.000Z', '2026-01-05T10:00:00.000Z']);
  });
});

describe('NullTimetable (schedule: null)', () => {
  test.each([null, undefined, '@none', 'None'] as const)('%s never schedules a run', (schedule) => {
    const none = timetableFromSpec(parseSchedule(schedule));
    expect(none).toBeInstanceOf(NullTimetable);
    expect(
      none.nextDagRunInfo(null, restriction('2026-01-01T00:00:00Z', { catchup: true }), d('2027-01-01T00:00:00Z')),
    ).toBeNull();
    expect(none.summary).toBe('None');
    expect(none.periodic).toBe(false);
    expect(none.serialize()).toEqual({ kind: 'none' });
  });

  test('manual runs get a point interval at the trigger time', () => {
    const interval = new NullTimetable().inferManualDataInterval(d('2026-01-05T10:00:00Z'));
    expect([iso(interval.start), iso(interval.end)]).toEqual(['2026-01-05T10:00:00.000Z', '2026-01-05T10:00:00.000Z']);
  });
});
