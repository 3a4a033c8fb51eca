/**
 * Wall-clock arithmetic in an IANA time zone without a date library.
 * A "wall time" is represented as the epoch milliseconds the same calendar reading would have in
 * UTC (2026-03-08 02:30 local → Date.UTC(2026, 2, 8, 2, 30)), so cron matching can run in UTC,
 * where no DST exists, and be mapped back to real instants here.
 */

const HOUR_MS = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Zones whose wall time is UTC's: no Intl round trip needed (most DAGs use one). */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu', 'Universal', 'Zulu']);

/** The wall time of `instantMs` in `timeZone`, as UTC-equivalent milliseconds. */
export function wallTimeOf(instantMs: number, timeZone: string): number {
  if (UTC_ZONES.has(timeZone)) return instantMs;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wholeSeconds = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wholeSeconds + (((instantMs % 1000) + 1000) % 1000);
}

/** The zone's UTC offset at `instantMs` (wall − instant), in milliseconds. */
export function offsetAt(instantMs: number, timeZone: string): number {
  return wallTimeOf(instantMs, timeZone) - instantMs;
}

/**
 * The real instants whose wall time is `wallMs`, earliest first: one normally, two in a
 * fall-back overlap, none in a spring-forward gap (see `resolveWallTime`).
 */
export function instantsWithWallTime(wallMs: number, timeZone: string): number[] {
  // Offsets in force in the ±a-day window around this wall time; zones change offset at most once there.
  const offsets = new Set([offsetAt(wallMs - 15 * HOUR_MS, timeZone), offsetAt(wallMs + 15 * HOUR_MS, timeZone)]);
  const found: number[] = [];
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    if (wallTimeOf(candidate, timeZone) === wallMs && !found.includes(candidate)) found.push(candidate);
  }
  return found.sort((a, b) => a - b);
}

/**
 * Map a wall time to real instants. A time skipped by a spring-forward gap moves forward by the
 * gap (02:30 on a 02:00→03:00 day becomes 03:30), as cron users and Airflow expect.
 */
export function resolveWallTime(wallMs: number, timeZone: string): number[] {
  const exact = instantsWithWallTime(wallMs, timeZone);
  if (exact.length > 0) return exact;
  return [wallMs - offsetAt(wallMs - 15 * HOUR_MS, timeZone)];
}

/** True when the zone's offset is the same at every probe (no transition near them). */
export function sameOffset(timeZone: string, instantsMs: number[]): boolean {
  const first = offsetAt(instantsMs[0], timeZone);
  return instantsMs.every((instant) => offsetAt(instant, timeZone) === first);
}
