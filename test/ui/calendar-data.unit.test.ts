import {
  aggregateRunsByDay,
  buildCalendar,
  calendarYear,
  mostUrgentRunState,
} from '../../src/web/ui/data/calendar-data';

const run = (iso: string, state: string) => ({ logicalDate: new Date(iso), state });

describe('calendar aggregation', () => {
  it('counts runs per UTC day of their logical date and colours a day by its most urgent state', () => {
    const days = aggregateRunsByDay([
      run('2026-03-01T00:00:00Z', 'success'),
      run('2026-03-01T23:59:59Z', 'failed'),
      run('2026-03-01T12:00:00Z', 'success'),
      run('2026-03-02T00:00:00Z', 'running'),
      run('2026-03-02T06:00:00Z', 'success'),
      run('2026-03-03T06:00:00Z', 'queued'),
    ]);
    expect(days.get('2026-03-01')).toEqual({
      date: '2026-03-01',
      counts: { failed: 1, success: 2 },
      state: 'failed',
      total: 3,
    });
    // counts are listed most urgent first (the hover text reads in that order)
    expect(Object.keys(days.get('2026-03-01')!.counts)).toEqual(['failed', 'success']);
    expect(days.get('2026-03-02')?.state).toBe('running');
    expect(days.get('2026-03-03')?.state).toBe('queued');
    expect(days.has('2026-03-04')).toBe(false);
  });

  it('ranks states: failed, running, queued, success', () => {
    expect(mostUrgentRunState(['success', 'queued'])).toBe('queued');
    expect(mostUrgentRunState(['queued', 'running'])).toBe('running');
    expect(mostUrgentRunState(['running', 'failed', 'success'])).toBe('failed');
    expect(mostUrgentRunState([])).toBeNull();
  });

  it('lays a year out in Monday-first weeks holding every day once', () => {
    const year = calendarYear(2026, aggregateRunsByDay([run('2026-12-31T10:00:00Z', 'success')]));
    const days = year.weeks.flat().filter((d) => d !== null);
    expect(days).toHaveLength(365);
    expect(year.weeks.every((week) => week.length === 7)).toBe(true);
    // 2026-01-01 is a Thursday: three padding days before it
    expect(year.weeks[0].slice(0, 4).map((d) => d?.date ?? null)).toEqual([null, null, null, '2026-01-01']);
    expect(days[days.length - 1]).toEqual({ date: '2026-12-31', counts: { success: 1 }, state: 'success', total: 1 });
    expect(
      calendarYear(2028, new Map())
        .weeks.flat()
        .filter((d) => d !== null),
    ).toHaveLength(366);
  });

  it('shows the years that have runs, newest first, else the current year', () => {
    const calendar = buildCalendar(
      [run('2025-06-01T00:00:00Z', 'success'), run('2026-01-02T00:00:00Z', 'failed')],
      new Date('2026-03-01T00:00:00Z'),
    );
    expect(calendar.years.map((y) => y.year)).toEqual([2026, 2025]);
    expect(calendar.totalRuns).toBe(2);
    expect(buildCalendar([], new Date('2027-05-05T00:00:00Z')).years.map((y) => y.year)).toEqual([2027]);
  });
});
