import type { LoadedConfig } from '../../config/load-config';
import { workerHeartbeatPattern } from './bullmq-keys';
import { createRedisClient } from './redis-options';
import type { WorkerHeartbeat } from './worker';

/** The workers whose heartbeat has not expired (for health pages and `dagctl` diagnostics). */
export async function listWorkers(config: LoadedConfig): Promise<WorkerHeartbeat[]> {
  const redis = createRedisClient(config.redis.url);
  redis.on('error', () => undefined);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(
        cursor,
        'MATCH',
        workerHeartbeatPattern(config.redis.key_prefix),
        'COUNT',
        500,
      );
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    if (!keys.length) return [];
    const values = await redis.mget(...keys);
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as WorkerHeartbeat)
      .sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    redis.disconnect();
  }
}
