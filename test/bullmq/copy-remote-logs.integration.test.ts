import fs from 'node:fs';
import path from 'node:path';
import IORedis from 'ioredis';
import { remoteLogKey, taskJobId } from '../../src/executors/bullmq/bullmq-keys';
import { copyRemoteLogs } from '../../src/executors/bullmq/remote-log';
import { taskLogPath } from '../../src/logging/task-log-path';
import { makeTempHome } from '../runner/fixtures';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';

describe('copyRemoteLogs (real Redis)', () => {
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = uniqueRedisPrefix('copylogs');
  const home = makeTempHome('dagctl-copylogs-');

  afterAll(async () => {
    await deleteRedisPrefixes([prefix]);
    await redis.quit();
    home.remove();
  });

  const tryOf = (n: number) => ({ key: { dagId: 'd', runId: 'r', taskId: `t${n}`, mapIndex: -1 }, tryNumber: 1 });

  it('copies the logs of a batch of tries in one go, leaving longer local copies and missing logs alone', async () => {
    const [shipped, longerLocal, missing] = [tryOf(1), tryOf(2), tryOf(3)];
    await redis.set(remoteLogKey(prefix, taskJobId(shipped.key, 1)), 'line one\nline two\n');
    await redis.set(remoteLogKey(prefix, taskJobId(longerLocal.key, 1)), 'short\n');
    const localFile = taskLogPath(home.logs, longerLocal.key, 1);
    fs.mkdirSync(path.dirname(localFile), { recursive: true });
    fs.writeFileSync(localFile, 'the worker wrote this longer copy\n');

    const written = await copyRemoteLogs(redis, prefix, home.logs, [shipped, longerLocal, missing]);

    const shippedFile = taskLogPath(home.logs, shipped.key, 1);
    expect(written).toEqual([{ file: shippedFile }, { file: null }, { file: null }]);
    expect(fs.readFileSync(shippedFile, 'utf8')).toBe('line one\nline two\n');
    expect(fs.readFileSync(localFile, 'utf8')).toBe('the worker wrote this longer copy\n');
    expect(fs.existsSync(taskLogPath(home.logs, missing.key, 1))).toBe(false);
  });

  it("reports a log it cannot write as that try's error, copying the others", async () => {
    const [blocked, fine] = [tryOf(4), tryOf(5)];
    await redis.set(remoteLogKey(prefix, taskJobId(blocked.key, 1)), 'x'.repeat(64 * 1024));
    await redis.set(remoteLogKey(prefix, taskJobId(fine.key, 1)), 'y\n');
    // A directory where the log file should go: writing it fails.
    fs.mkdirSync(taskLogPath(home.logs, blocked.key, 1), { recursive: true });

    const written = await copyRemoteLogs(redis, prefix, home.logs, [blocked, fine]);

    expect(written[0]).toEqual({ error: expect.stringMatching(/EISDIR/) });
    expect(written[1]).toEqual({ file: taskLogPath(home.logs, fine.key, 1) });
  });
});
