import { createHash } from 'node:crypto';

/** Airflow's default cap on exponential backoff when the task sets no maxRetryDelay. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 24 * 3_600_000;
/** Airflow never backs off by less than a second. */
const MIN_BACKOFF_MS = 1000;

/** The retry fields of a task (a SerializedTask fits as is). */
export interface RetryDelayOptions {
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs?: number | null;
}

/**
 * How long to wait after try `tryNumber` (1 = the first attempt) failed before the next try.
 * Plain: retryDelay. Exponential: retryDelay·2^(tryNumber−1) plus a jitter of up to the same
 * amount again, derived from a hash of `keySeed` (the task instance key) so every scheduler and
 * every call agrees; never below retryDelay, never above maxRetryDelay (default 24h; the cap wins if smaller).
 */
export function computeRetryDelayMs(options: RetryDelayOptions, tryNumber: number, keySeed: string): number {
  const { retryDelayMs, retryExponentialBackoff } = options;
  if (!retryExponentialBackoff) return retryDelayMs;
  const cap = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  const exponent = Math.max(0, Math.floor(tryNumber) - 1);
  const base = Math.max(MIN_BACKOFF_MS, Math.ceil(retryDelayMs * 2 ** exponent));
  if (!Number.isFinite(base) || base >= cap) return cap;
  const jitter = hashToInt(`${keySeed}#${tryNumber}`) % base;
  return Math.min(base + jitter, cap);
}

/** When the next try may start, given when try `tryNumber` ended. */
export function nextRetryAt(options: RetryDelayOptions, tryNumber: number, keySeed: string, endedAt: Date): Date {
  return new Date(endedAt.getTime() + computeRetryDelayMs(options, tryNumber, keySeed));
}

function hashToInt(text: string): number {
  // 52 bits of SHA-1 fit a JS number exactly.
  return parseInt(createHash('sha1').update(text).digest('hex').slice(0, 13), 16);
}
