import { DagDefinitionError } from '../../src/core/errors';
import { parseSchedule, timetableFromSpec } from '../../src/timetables';
import { d, dueRuns, iso, restriction } from './helpers';

describe('@quarterly', () => {
  test('fires at midnight on the first of January, April, July and October', () => {
    const spec = parseSchedule('@quarterly', 'UTC', 'q');
    expect(spec).toEqual({ kind: 'cron', expression: '0 0 1 */3 *', timezone: 'UTC' });
    const runs = dueRuns(
      timetableFromSpec(spec),
      restriction('2026-01-01T00:00:00Z', { catchup: true }),
      d('2027-01-01T00:00:00Z'),
    );
    expect(runs.map((r) => [iso(r.dataInterval.start), iso(r.dataInterval.end)])).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
      ['2026-04-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
      ['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'],
      ['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ]);
  });
});

describe('several cron expressions in one schedule', () => {
  test('runs at the union of their ticks, each run covering one tick to the next', () => {
    // Weekdays at 09:00 and weekends at 12:00 (2026-01-02 is a Friday).
    const spec = parseSchedule(['0 9 * * 1-5', '0 12 * * 0,6'], 'UTC', 'multi');
    expect(spec).toEqual({
      kind: 'cron',
      expression: '0 9 * * 1-5 | 0 12 * * 0,6',
      expressions: ['0 9 * * 1-5', '0 12 * * 0,6'],
      timezone: 'UTC',
    });
    const timetable = timetableFromSpec(spec);
    const runs = dueRuns(timetable, restriction('2026-01-02T00:00:00Z', { catchup: true }), d('2026-01-06T00:00:00Z'));
    expect(runs.map((r) => iso(r.logicalDate))).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-03T12:00:00.000Z',
      '2026-01-04T12:00:00.000Z',
    ]);
    expect(iso(runs[0].dataInterval.end)).toBe('2026-01-03T12:00:00.000Z');
    expect(timetable.serialize()).toEqual(spec);
  });

  test('one tick when two expressions coincide; presets allowed; a non-cron entry is refused', () => {
    const spec = parseSchedule(['@daily', '0 0,12 * * *'], 'UTC', 'multi');
    const runs = dueRuns(
      timetableFromSpec(spec),
      restriction('2026-01-01T00:00:00Z', { catchup: true }),
      d('2026-01-02T00:00:00Z'),
    );
    expect(runs.map((r) => iso(r.logicalDate))).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T12:00:00.000Z']);
    expect(parseSchedule(['@daily', '0 0 * * *'], 'UTC', 'x')).toEqual({
      kind: 'cron',
      expression: '0 0 * * *',
      timezone: 'UTC',
    });
    expect(() => parseSchedule(['@daily', '@once'], 'UTC', 'x')).toThrow(DagDefinitionError);
    expect(() => parseSchedule([], 'UTC', 'x')).toThrow('one or more cron expressions or datasets');
  });
});
