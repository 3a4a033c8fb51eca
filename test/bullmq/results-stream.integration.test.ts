import path from 'node:path';
import IORedis from 'ioredis';
import { loadConfig } from '../../src/config/load-config';
import { BullMQExecutor } from '../../src/executors/bullmq/bullmq-executor';
import { ResultsConsumer } from '../../src/executors/bullmq/results-consumer';
import {
  addResult,
  ensureResultsGroup,
  RESULTS_GROUP,
  ResultEntry,
  resultsStreamKey,
} from '../../src/executors/bullmq/results-stream';
import type { ExecutorEvent } from '../../src/core/executor';
import { eventually } from '../helpers/eventually';
import { makeTempHome } from '../runner/fixtures';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';

function startedEvent(n: number): { jobId: string; event: ExecutorEvent } {
  const key = { dagId: 'd', runId: `r${n}`, taskId: 't', mapIndex: -1 };
  return {
    jobId: `job${n}`,
    event: { type: 'started', key, tryNumber: 1, at: new Date().toISOString(), hostname: 'h', pid: null },
  };
}

describe('results stream (real Redis)', () => {
  jest.setTimeout(60_000);
  const prefixes: string[] = [];
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const consumers: ResultsConsumer[] = [];

  function newPrefix(): string {
    const prefix = uniqueRedisPrefix('results');
    prefixes.push(prefix);
    return prefix;
  }

  function consumer(
    prefix: string,
    name: string,
    received: ResultEntry[],
    options: { claimIdleMs?: number; batches?: number[]; goneConsumerIdleMs?: number } = {},
  ): ResultsConsumer {
    const c = new ResultsConsumer({
      redisUrl: TEST_REDIS_URL,
      prefix,
      consumer: name,
      commands: redis,
      blockMs: 100,
      claimIdleMs: options.claimIdleMs ?? 30_000,
      claimIntervalMs: 100,
      goneConsumerIdleMs: options.goneConsumerIdleMs,
      onResults: async (entries) => {
        options.batches?.push(entries.length);
        received.push(...entries);
      },
      onError: () => undefined,
    });
    consumers.push(c);
    c.start();
    return c;
  }

  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop();
  });
  afterAll(async () => {
    await deleteRedisPrefixes(prefixes);
    redis.disconnect();
  });

  it('hands over many results per read and deletes them once acknowledged', async () => {
    const prefix = newPrefix();
    for (let i = 0; i < 50; i += 1) await addResult(redis, prefix, startedEvent(i));
    const received: ResultEntry[] = [];
    const batches: number[] = [];
    const c = consumer(prefix, 'a', received, { batches });
    await eventually(() => received.length === 50, { timeoutMs: 10_000 });
    expect(batches).toEqual([50]);
    expect(received.map((e) => e.data.jobId)).toEqual(Array.from({ length: 50 }, (_, i) => `job${i}`));
    expect(await redis.xlen(resultsStreamKey(prefix))).toBe(50);
    await c.ack(received.map((e) => e.id));
    expect(await redis.xlen(resultsStreamKey(prefix))).toBe(0);
    const pending = (await redis.xpending(resultsStreamKey(prefix), RESULTS_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('gives each result to one scheduler, and the unacknowledged results of a dead one to another', async () => {
    const prefix = newPrefix();
    const first: ResultEntry[] = [];
    const a = consumer(prefix, 'a', first);
    await eventually(async () => (await redis.exists(resultsStreamKey(prefix))) === 1, { timeoutMs: 10_000 });
    for (let i = 0; i < 10; i += 1) await addResult(redis, prefix, startedEvent(i));
    await eventually(() => first.length === 10, { timeoutMs: 10_000 });
    // a applied (acknowledged) the first 4, then died before committing the other 6.
    await a.ack(first.slice(0, 4).map((e) => e.id));
    await a.stop();
    const second: ResultEntry[] = [];
    consumer(prefix, 'b', second, { claimIdleMs: 300 });
    await addResult(redis, prefix, startedEvent(10));
    await eventually(() => second.length === 7, { timeoutMs: 10_000 });
    expect(second.map((e) => e.data.jobId).sort()).toEqual(['job10', 'job4', 'job5', 'job6', 'job7', 'job8', 'job9']);
    // b's own unacknowledged entries are not handed over twice: once b has claimed job10's entry
    // (read normally, delivery 1) back from itself, it still holds only the 7.
    const job10 = second.find((e) => e.data.jobId === 'job10')!.id;
    await eventually(
      async () => {
        const entries = (await redis.xpending(resultsStreamKey(prefix), RESULTS_GROUP, job10, job10, 1)) as Array<
          [string, string, number, number]
        >;
        expect(entries[0]?.[3]).toBeGreaterThanOrEqual(2);
      },
      { what: "b to claim job10's entry again", timeoutMs: 10_000 },
    );
    expect(second).toHaveLength(7);
  });

  it('creates the group again after Redis lost it, and drops an unreadable entry', async () => {
    const prefix = newPrefix();
    const received: ResultEntry[] = [];
    consumer(prefix, 'a', received);
    await addResult(redis, prefix, startedEvent(1));
    await eventually(() => received.length === 1, { timeoutMs: 10_000 });
    await redis.del(resultsStreamKey(prefix)); // what a Redis restart without persistence does
    await redis.xadd(resultsStreamKey(prefix), '*', 'r', 'not json');
    await addResult(redis, prefix, startedEvent(2));
    await eventually(() => received.length === 2, { timeoutMs: 10_000 });
    expect(received[1].data.jobId).toBe('job2');
    // Only job2's entry is left, not acknowledged yet.
    await eventually(async () => (await redis.xlen(resultsStreamKey(prefix))) === 1, { timeoutMs: 10_000 });
  });

  it('removes from the group the consumers of schedulers long gone, not those with pending results', async () => {
    const prefix = newPrefix();
    const key = resultsStreamKey(prefix);
    await ensureResultsGroup(redis, prefix);
    await redis.xgroup('CREATECONSUMER', key, RESULTS_GROUP, 'gone');
    await redis.xadd(key, '*', 'r', JSON.stringify(startedEvent(1)));
    await redis.xreadgroup('GROUP', RESULTS_GROUP, 'holding', 'COUNT', 1, 'STREAMS', key, '>');
    const consumers = async (): Promise<Array<{ name: string; idle: number }>> =>
      ((await redis.xinfo('CONSUMERS', key, RESULTS_GROUP)) as Array<Array<string | number>>)
        .map((f) => ({ name: String(f[f.indexOf('name') + 1]), idle: Number(f[f.indexOf('idle') + 1]) }))
        .sort((a, b) => a.name.localeCompare(b.name));
    const names = async (): Promise<string[]> => (await consumers()).map((c) => c.name);
    // Both silent longer than goneConsumerIdleMs (200 ms) before the live one prunes.
    await eventually(async () => expect((await consumers()).every((c) => c.idle > 250)).toBe(true), {
      what: 'both consumers to be idle',
    });
    expect(await names()).toEqual(['gone', 'holding']);
    consumer(prefix, 'live', [], { goneConsumerIdleMs: 200, claimIdleMs: 60_000 });
    await eventually(async () => !(await names()).includes('gone'), { timeoutMs: 10_000 });
    expect(await names()).toContain('holding');
  });

  it('the executor acknowledges results only when the scheduler drains again (its loop applied them)', async () => {
    const prefix = newPrefix();
    const env = makeTempHome('dagctl-results-');
    const config = loadConfig(
      {
        DAGCTL_HOME: env.home,
        DAGCTL__REDIS__URL: TEST_REDIS_URL,
        DAGCTL__REDIS__KEY_PREFIX: prefix,
        DAGCTL__DATABASE__URL: `sqlite:///${path.join(env.home, 'unused.db')}`,
      },
      env.home,
    );
    const executor = new BullMQExecutor(config, { dataSource: null });
    let woken = 0;
    executor.onEvent(() => {
      woken += 1;
    });
    await executor.start();
    try {
      const pendingCount = async (): Promise<number> =>
        ((await redis.xpending(resultsStreamKey(prefix), RESULTS_GROUP)) as [number])[0];
      await eventually(async () => (await redis.exists(resultsStreamKey(prefix))) === 1, { timeoutMs: 10_000 });
      // One transaction: the executor reads the three in one batch, so one wake means all three.
      const multi = redis.multi();
      for (let i = 0; i < 3; i += 1) addResult(multi, prefix, startedEvent(i));
      await multi.exec();
      await eventually(() => woken > 0, { timeoutMs: 10_000 });
      const drained = executor.drainEvents();
      expect(drained.map((e) => e.key.runId)).toEqual(['r0', 'r1', 'r2']);
      // Handed over, not acknowledged: that waits for the next drain.
      expect(await pendingCount()).toBe(3);
      expect(executor.drainEvents()).toEqual([]);
      await eventually(async () => (await pendingCount()) === 0, { timeoutMs: 10_000 });
      expect(await redis.xlen(resultsStreamKey(prefix))).toBe(0);
    } finally {
      await executor.terminate();
      env.remove();
    }
  });
});
