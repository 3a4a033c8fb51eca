import { resolveWallTime, wallTimeOf } from '../../src/timetables/zoned-time';

describe('zoned wall time', () => {
  it('answers UTC zones without Intl, exactly as Intl does for an equivalent zone', () => {
    // 'Etc/GMT-0' is UTC too but not on the fast path: it goes through Intl.
    const instants = [
      Date.UTC(2026, 2, 8, 2, 30, 15, 123),
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(2099, 0, 1),
      -1,
    ];
    for (const instant of instants) {
      for (const zone of ['UTC', 'Etc/UTC', 'GMT', 'Zulu'])
        expect(wallTimeOf(instant, zone)).toBe(wallTimeOf(instant, 'Etc/GMT-0'));
      expect(wallTimeOf(instant, 'UTC')).toBe(instant);
    }
    expect(resolveWallTime(Date.UTC(2026, 2, 29, 2, 30), 'UTC')).toEqual([Date.UTC(2026, 2, 29, 2, 30)]);
  });

  it('still maps other zones through their offsets', () => {
    expect(wallTimeOf(Date.UTC(2026, 6, 1, 12), 'Europe/Paris')).toBe(Date.UTC(2026, 6, 1, 14));
    expect(wallTimeOf(Date.UTC(2026, 0, 1, 12), 'America/New_York')).toBe(Date.UTC(2026, 0, 1, 7));
  });
});
