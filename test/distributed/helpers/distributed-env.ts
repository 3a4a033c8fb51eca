import { TEST_REDIS_URL } from '../../helpers/test-redis';

/**
 * Config of a distributed test home: bullmq executor, its own Redis key prefix, short stalled
 * detection and reconciliation so failures are noticed in seconds, not minutes.
 */
export function bullmqEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DAGCTL__CORE__EXECUTOR: 'bullmq',
    DAGCTL__REDIS__URL: TEST_REDIS_URL,
    DAGCTL__REDIS__KEY_PREFIX: prefix,
    DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms',
    DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s',
    DAGCTL__WORKER__SHUTDOWN_TIMEOUT: '10s',
    ...extra,
  };
}
