import { inspect } from 'node:util';
import type { TaskContext } from './task-context';

/** Longest short form of a returned value in a task log (Airflow prints the whole repr). */
export const RETURNED_VALUE_MAX_CHARS = 200;

/** A one-line short form of a function task's return value: JSON where it has one, else inspect(). */
export function shortFormOf(value: unknown, maxChars = RETURNED_VALUE_MAX_CHARS): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? inspect(value, { breakLength: Infinity }));
  } catch {
    text = inspect(value, { breakLength: Infinity, depth: 2 });
  }
  text = text.replace(/\s*\n\s*/g, ' ');
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length} chars)` : text;
}

/**
 * Airflow's "Done. Returned value was: …" for function tasks: written through the task's logger,
 * so the secrets masker sees it like any other log line.
 */
export function logReturnedValue(ctx: TaskContext, value: unknown): void {
  ctx.log.info('Returned value: %s', shortFormOf(value));
}
