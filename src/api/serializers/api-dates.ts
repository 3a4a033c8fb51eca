/** Stored dates are ISO strings already; normalize whatever the driver returns to ISO or null. */
export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.toISOString();
  return columnText(value);
}

/** A column's value as text: the drivers return strings, numbers and booleans here, never objects. */
export function columnText(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** SQLite returns booleans as 0/1, PostgreSQL as true/false. */
export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

export function numOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function parseJsonText<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

/** Airflow's TimeDelta object from milliseconds. */
export function timeDelta(
  ms: number | null | undefined,
): { __type: 'TimeDelta'; days: number; seconds: number; microseconds: number } | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  const totalMicros = Math.round(ms * 1000);
  const days = Math.floor(totalMicros / 86_400_000_000);
  const rest = totalMicros - days * 86_400_000_000;
  return { __type: 'TimeDelta', days, seconds: Math.floor(rest / 1_000_000), microseconds: rest % 1_000_000 };
}
