import { describeExecutor } from '../executors/describe-executor';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';
import { ExecutorWithWorker } from './executor-with-worker';

const prefixes: string[] = [];
afterAll(() => deleteRedisPrefixes(prefixes));

describeExecutor(
  'bullmq (executor + in-test worker)',
  ({ config, killGraceMs }) => {
    const prefix = uniqueRedisPrefix('conf');
    prefixes.push(prefix);
    return new ExecutorWithWorker({ ...config, redis: { url: TEST_REDIS_URL, key_prefix: prefix } }, { killGraceMs });
  },
  { reusesProcesses: true, writesLocalLogs: true, stopsTries: true },
);
