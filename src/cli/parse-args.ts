import { errorMessage, InvalidArgumentError } from '../core/errors';

/**
 * Parse a date given on the command line: ISO-8601 ('2026-01-01', '2026-01-01T12:00',
 * '2026-01-01T12:00:00+02:00'). Without an offset the time is UTC, as in Airflow's default.
 */
export function parseDateArg(text: string, what = 'date'): Date {
  const trimmed = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (!iso)
    throw new InvalidArgumentError(
      `invalid ${what} '${text}': expected ISO 8601 like 2026-01-01 or 2026-01-01T12:00:00Z`,
    );
  let normalized = trimmed.replace(' ', 'T');
  if (!iso[1]) normalized += 'T00:00:00';
  if (!iso[4]) normalized += 'Z';
  const date = new Date(normalized);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`invalid ${what} '${text}': not a real date`);
  // Date rolls 2026-02-30 over to March: refuse dates that do not exist.
  if (date.toISOString().slice(0, 10) !== normalized.slice(0, 10) && !iso[4]) {
    throw new InvalidArgumentError(`invalid ${what} '${text}': not a real date`);
  }
  return date;
}

/** `-c/--conf` JSON: must be an object. */
export function parseConfArg(text: string, what = '--conf'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`invalid ${what} JSON: ${errorMessage(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`invalid ${what} JSON: expected an object like '{"key": "value"}'`);
  }
  return value as Record<string, unknown>;
}

/** A whole number at least `min` (counts, slots, ports, try numbers). */
export function parseIntArg(text: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(text.trim()))
    throw new InvalidArgumentError(`invalid ${what} '${text}': expected a whole number`);
  const value = Number(text);
  if (value < min || value > max)
    throw new InvalidArgumentError(
      `invalid ${what} '${text}': expected ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`}`,
    );
  return value;
}
