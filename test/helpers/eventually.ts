import { errorMessage } from '../../src/core/errors';
import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Give up after this long (default 30 s; a run of a real scheduler may need minutes). */
  timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the error ("run r1 to finish"). */
  what?: string;
}

/** Thrown from a check to stop polling at once: waiting longer cannot help (the process died). */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

/**
 * Polls `check` until it holds and returns its value: the one way tests wait for something
 * another process, timer or connection makes true (never a fixed sleep). The check holds when it
 * returns without throwing and does not return `false` — so an assertion (`expect(…)` inside), a
 * predicate (`() => rows.length === 3`) and a getter that throws while the value is missing all
 * work. On timeout the error names `what` and carries the last failure, so a test that waited in
 * vain says what it last saw.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last: unknown;
  for (;;) {
    attempts += 1;
    try {
      const value = await check();
      if (value !== false) return value as Exclude<T, false>;
      last = undefined;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() >= deadline) throw timedOut(options.what, timeoutMs, attempts, last);
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

function timedOut(what: string | undefined, timeoutMs: number, attempts: number, last: unknown): Error {
  const head = `eventually: ${what ?? 'the check'} did not hold within ${timeoutMs} ms (${attempts} attempts)`;
  const tail = last === undefined ? 'the last check returned false' : errorMessage(last);
  return new Error(`${head}; last failure: ${tail}`, { cause: last });
}

/** `value`, or a throw saying what is still missing: for checks that wait for a row or file to appear. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what} is not there yet`);
  return value;
}

/** `eventually` for a check that returns undefined while what it waits for is not there yet. */
export function eventuallyDefined<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<T> {
  return eventually(async () => present(await check(), what), { what, timeoutMs, intervalMs });
}
