import { computeRetryDelayMs, DEFAULT_MAX_RETRY_DELAY_MS, nextRetryAt } from '../../src/scheduler/retry-delay';

const MINUTE = 60_000;
const plain = { retryDelayMs: 5 * MINUTE, retryExponentialBackoff: false, maxRetryDelayMs: null };
const exponential = { retryDelayMs: MINUTE, retryExponentialBackoff: true, maxRetryDelayMs: null };
const key = JSON.stringify(['etl', 'scheduled__2026-01-01T00:00:00+00:00', 'load', -1]);

describe('computeRetryDelayMs', () => {
  test('plain delay is the same for every try', () => {
    for (const tryNumber of [1, 2, 5, 30]) expect(computeRetryDelayMs(plain, tryNumber, key)).toBe(5 * MINUTE);
  });

  test('exponential backoff doubles per try with jitter below the next step', () => {
    for (let tryNumber = 1; tryNumber <= 8; tryNumber++) {
      const base = MINUTE * 2 ** (tryNumber - 1);
      const delay = computeRetryDelayMs(exponential, tryNumber, key);
      expect(delay).toBeGreaterThanOrEqual(base);
      expect(delay).toBeLessThan(2 * base);
    }
  });

  test('the jitter is deterministic per task instance and differs between instances', () => {
    const first = computeRetryDelayMs(exponential, 3, key);
    expect(computeRetryDelayMs(exponential, 3, key)).toBe(first);
    const others = ['a', 'b', 'c', 'd', 'e'].map((task) =>
      computeRetryDelayMs(exponential, 3, JSON.stringify(['etl', 'r', task, -1])),
    );
    expect(new Set([first, ...others]).size).toBeGreaterThan(1);
  });

  test('never below retryDelay', () => {
    for (const seed of ['x', 'y', 'z', key])
      expect(computeRetryDelayMs(exponential, 1, seed)).toBeGreaterThanOrEqual(MINUTE);
  });

  test('capped by maxRetryDelay', () => {
    const capped = { ...exponential, maxRetryDelayMs: 10 * MINUTE };
    expect(computeRetryDelayMs(capped, 1, key)).toBeLessThan(2 * MINUTE);
    expect(computeRetryDelayMs(capped, 5, key)).toBe(10 * MINUTE); // base 16m > cap
    expect(computeRetryDelayMs(capped, 50, key)).toBe(10 * MINUTE);
  });

  test('default cap is 24 hours, even for absurd try numbers', () => {
    expect(DEFAULT_MAX_RETRY_DELAY_MS).toBe(24 * 60 * MINUTE);
    expect(computeRetryDelayMs(exponential, 20, key)).toBe(DEFAULT_MAX_RETRY_DELAY_MS);
    expect(computeRetryDelayMs(exponential, 5000, key)).toBe(DEFAULT_MAX_RETRY_DELAY_MS);
  });

  test('a zero delay with backoff waits at least a second, like Airflow', () => {
    const delay = computeRetryDelayMs({ retryDelayMs: 0, retryExponentialBackoff: true }, 1, key);
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(delay).toBeLessThan(2000);
  });
});

describe('nextRetryAt', () => {
  test('adds the delay to the end of the failed try', () => {
    const endedAt = new Date('2026-01-01T00:00:00Z');
    expect(nextRetryAt(plain, 1, key, endedAt).toISOString()).toBe('2026-01-01T00:05:00.000Z');
    const withBackoff = nextRetryAt(exponential, 2, key, endedAt).getTime() - endedAt.getTime();
    expect(withBackoff).toBe(computeRetryDelayMs(exponential, 2, key));
  });
});
