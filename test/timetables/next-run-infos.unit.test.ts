import { nextRunInfos, parseSchedule, timetableFromSpec } from '../../src/timetables';
import { d, iso, logicalDates, restriction } from './helpers';

const now = d('2026-01-05T13:00:00Z');

describe('nextRunInfos (dags next-execution -n N)', () => {
  test('the next N runs of a cron schedule without catchup', () => {
    const timetable = timetableFromSpec(parseSchedule('0 12 * * *'));
    const infos = nextRunInfos(timetable, restriction('2026-01-01T00:00:00Z'), null, now, 3);
    expect(logicalDates(infos)).toEqual([
      '2026-01-04T12:00:00.000Z',
      '2026-01-05T12:00:00.000Z',
      '2026-01-06T12:00:00.000Z',
    ]);
  });

  test('continues after the last automated run', () => {
    const timetable = timetableFromSpec(parseSchedule('@daily'));
    const last = { start: d('2026-01-04T00:00:00Z'), end: d('2026-01-05T00:00:00Z') };
    const infos = nextRunInfos(timetable, restriction('2026-01-01T00:00:00Z', { catchup: true }), last, now, 2);
    expect(infos.map((i) => iso(i.runAfter))).toEqual(['2026-01-06T00:00:00.000Z', '2026-01-07T00:00:00.000Z']);
  });

  test('stops at the end date, after @once, and for no schedule', () => {
    const hourly = timetableFromSpec(parseSchedule('@hourly'));
    expect(
      nextRunInfos(
        hourly,
        restriction('2026-01-05T00:00:00Z', { latest: '2026-01-05T02:00:00Z', catchup: true }),
        null,
        now,
        10,
      ),
    ).toHaveLength(3);
    expect(
      nextRunInfos(timetableFromSpec(parseSchedule('@once')), restriction('2026-01-01T00:00:00Z'), null, now, 5),
    ).toHaveLength(1);
    expect(
      nextRunInfos(timetableFromSpec(parseSchedule(null)), restriction('2026-01-01T00:00:00Z'), null, now, 5),
    ).toEqual([]);
  });

  test('n = 0 gives nothing', () => {
    expect(
      nextRunInfos(timetableFromSpec(parseSchedule('@daily')), restriction('2026-01-01T00:00:00Z'), null, now, 0),
    ).toEqual([]);
  });
});
