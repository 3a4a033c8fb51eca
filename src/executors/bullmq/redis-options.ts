import type { RedisOptions } from 'ioredis';
import IORedis from 'ioredis';

/** Reconnect delay: 200 ms doubling to at most 5 s, forever (a scheduler or worker outlives Redis restarts). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5000, 200 * 2 ** Math.min(Math.max(0, attempt - 1), 5));
}

/**
 * ioredis options for BullMQ connections: commands wait for a reconnect instead of failing
 * (maxRetriesPerRequest null, as BullMQ requires), and reconnects back off up to 5 s.
 */
export function redisOptions(url: string): RedisOptions & { url: string } {
  return {
    url,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    enableOfflineQueue: true,
    retryStrategy: (attempt: number) => reconnectDelayMs(attempt),
    // A Redis that restarted may answer LOADING for a while; treat it like a reconnect.
    reconnectOnError: (err: Error) => /READONLY|LOADING/.test(err.message),
  };
}

/** A plain command connection (not for BullMQ blocking workers). */
export function createRedisClient(url: string): IORedis {
  const { url: target, ...rest } = redisOptions(url);
  return new IORedis(target, rest);
}

/** `redis://user:pw@host` → `redis://***@host` for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
