import IORedis from 'ioredis';

/**
 * The Redis every test uses (never a literal host:port in a test). The jest global setup
 * (test/helpers/services) sets DAGCTL_TEST_REDIS_URL: the shared server at 127.0.0.1:6379 when it
 * answers, else a private redis-server it started. Tests that must stop Redis start their own
 * PrivateRedis instead.
 */
export const TEST_REDIS_URL = process.env.DAGCTL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test uses, so tests share one Redis without seeing each other. */
export function uniqueRedisPrefix(label = 't'): string {
  return `dagctl-test-${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Delete every key under the given prefixes (after a test). */
export async function deleteRedisPrefixes(prefixes: string[], url = TEST_REDIS_URL): Promise<void> {
  if (!prefixes.length) return;
  const redis = new IORedis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch {
    // a Redis that is gone (a test's private server) has nothing left to clean
  } finally {
    redis.disconnect();
  }
}
