import { InvalidArgumentError, errorMessage } from '../../../core/errors';
import { MASK } from '../../../core/sensitive-names';

/** A form field as posted, trimmed; '' when absent. */
export function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** Whether text is meant as JSON: the box is ticked, or it starts like an object or a list. */
export function looksLikeJson(value: string, ticked: boolean): boolean {
  return ticked || /^\s*[[{]/.test(value);
}

/** The value if it parses as JSON; otherwise a one-line error naming what is wrong. */
export function assertJson(value: string, what: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not valid JSON: ${errorMessage(err)}`);
  }
}

/** An optional TCP port: '' is none, anything else a whole number 1–65535. */
export function parsePort(value: string): number | null {
  if (value === '') return null;
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535))
    throw new InvalidArgumentError(`port '${value}' must be a whole number from 1 to 65535`);
  return port;
}

/** Pool slots: a whole number ≥ 0, as the API requires. */
export function parseSlots(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`slots '${value}' must be a whole number (0 or more)`);
  return Number(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The edit form shows a connection's extra with sensitive values as `***`; posting it back must not
 * overwrite them with `***`. Every `***` in the posted JSON whose place held a value before gets
 * that value back; an extra hidden whole (not JSON) and posted back unchanged keeps the old text.
 */
export function restoreMaskedExtra(posted: string, previous: string | null): string | null {
  if (posted === '') return null;
  if (posted === MASK && previous !== null) return previous;
  const parsed = assertJson(posted, 'extra');
  if (!isObject(parsed)) throw new InvalidArgumentError('extra must be a JSON object, e.g. {"timeout": 30}');
  let old: unknown;
  try {
    old = previous ? JSON.parse(previous) : null;
  } catch {
    old = null;
  }
  const restore = (value: unknown, before: unknown): unknown => {
    if (value === MASK && before !== undefined && before !== null) return before;
    if (isObject(value))
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, restore(inner, isObject(before) ? before[key] : undefined)]),
      );
    if (Array.isArray(value))
      return value.map((inner, i) => restore(inner, Array.isArray(before) ? before[i] : undefined));
    return value;
  };
  return JSON.stringify(restore(parsed, old));
}
