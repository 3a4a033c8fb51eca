/** Durations are milliseconds or strings such as '500ms', '90s', '5m', '1h', '2d', '1h30m'. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

export function parseDuration(value: Duration, what = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`${what}: expected a non-negative number of ms, got ${value}`);
    return value;
  }
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(PART)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== text.replace(/\s+/g, '').length) {
    throw new Error(`${what}: cannot parse '${value}' (use ms or strings like '90s', '5m', '1h')`);
  }
  return total;
}

export function parseOptionalDuration(value: Duration | null | undefined, what?: string): number | null {
  return value === undefined || value === null ? null : parseDuration(value, what);
}

const FORMAT_UNITS: Array<[unit: string, ms: number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Milliseconds as a duration string that parses back exactly, in the largest whole unit: '90s', '5m', '1500ms'. */
export function formatDuration(ms: number): string {
  if (ms > 0) for (const [unit, size] of FORMAT_UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
