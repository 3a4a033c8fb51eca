/** Dates with an explicit zone ('Z', '+02:00'); anything else is wall-clock time in the DAG's timezone. */
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * Parse a DAG date option (ISO string or Date). Like Airflow, a date without a zone
 * ('2026-01-01', '2026-01-01T06:00') means that wall-clock time in the DAG's timezone.
 * Returns null for an unparseable value.
 */
export function parseDagDate(value: unknown, timezone: string): Date | null {
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') {
    const date = new Date((value as Date).getTime());
    return Number.isNaN(date.getTime()) ? null : date;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const naive = NAIVE.exec(text);
  if (naive && !HAS_ZONE.test(text)) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = naive;
    const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, '0'));
    const check = new Date(wall);
    if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d) return null;
    return new Date(wallTimeToUtc(wall, timezone));
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The UTC instant at which clocks in `timezone` show the wall time `wallMs` (read as UTC fields). */
function wallTimeToUtc(wallMs: number, timezone: string): number {
  if (timezone === 'UTC') return wallMs;
  let utc = wallMs - offsetMs(wallMs, timezone);
  utc = wallMs - offsetMs(utc, timezone);
  return utc;
}

/** How far `timezone`'s wall clock is ahead of UTC at instant `utcMs`. */
function offsetMs(utcMs: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

export function isValidTimezone(timezone: unknown): boolean {
  if (typeof timezone !== 'string' || timezone === '') return false;
  // The first Intl formatter with a zone loads ICU's zone data (~60 ms of a process's start-up).
  if (timezone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
