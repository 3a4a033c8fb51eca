import { CronTicks } from '../../src/timetables/cron-ticks';

/**
 * Around DST changes, `next` from any instant must give the first tick of the chain after it
 * and `prev` the last one before it (cron-parser alone disagrees with itself there).
 */
const windows: Array<[string, string, string]> = [
  ['30 1 * * *', 'America/New_York', '2026-11-01T00:00:00Z'],
  ['0 2 * * *', 'America/New_York', '2026-03-08T00:00:00Z'],
  ['30 2 * * *', 'America/New_York', '2026-03-08T00:00:00Z'],
  ['30 2 * * *', 'Europe/Berlin', '2026-10-25T00:00:00Z'],
  ['0 2 * * *', 'Europe/Berlin', '2026-03-29T00:00:00Z'],
  ['*/30 * * * *', 'America/New_York', '2026-11-01T00:00:00Z'],
  ['*/30 * * * *', 'Europe/Berlin', '2026-03-29T00:00:00Z'],
  ['15 */2 * * *', 'Europe/Berlin', '2026-03-29T00:00:00Z'],
];

describe('CronTicks', () => {
  test.each(windows)("'%s' in %s: next and prev agree around %s", (expression, timeZone, around) => {
    const ticks = new CronTicks(expression, timeZone);
    const from = Date.parse(around) - 12 * 3_600_000;
    const to = Date.parse(around) + 12 * 3_600_000;
    const chain: number[] = [];
    let cursor = new Date(from - 2 * 86_400_000);
    while (cursor.getTime() < to + 2 * 86_400_000) {
      cursor = ticks.next(cursor)!;
      chain.push(cursor.getTime());
    }
    expect(new Set(chain).size).toBe(chain.length);
    for (let t = from; t <= to; t += 20 * 60_000) {
      expect(ticks.next(new Date(t))!.getTime()).toBe(chain.find((tick) => tick > t));
      expect(ticks.prev(new Date(t))!.getTime()).toBe([...chain].reverse().find((tick) => tick < t));
    }
  });

  test('a daily schedule fires once per local day through both changes of a year', () => {
    const ticks = new CronTicks('30 2 * * *', 'Europe/Berlin');
    let cursor = new Date('2026-01-01T00:00:00Z');
    const days = new Set<string>();
    let count = 0;
    while (cursor.getTime() < Date.parse('2027-01-01T00:00:00Z')) {
      cursor = ticks.next(cursor)!;
      days.add(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(cursor));
      count++;
    }
    expect(count).toBe(days.size);
    expect(count).toBe(366); // 2026-01-01 … 2027-01-01 inclusive
  });

  test('an impossible date is rejected up front', () => {
    expect(() => new CronTicks('0 0 30 2 *', 'UTC')).toThrow(/day of month/);
  });
});
