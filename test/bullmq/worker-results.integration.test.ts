import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { loadConfig, LoadedConfig } from '../../src/config/load-config';
import { remoteLogDoneKey, remoteLogKey, taskJobId } from '../../src/executors/bullmq/bullmq-keys';
import { redisOptions } from '../../src/executors/bullmq/redis-options';
import { parseEntries, resultsStreamKey } from '../../src/executors/bullmq/results-stream';
import type { TaskJobData } from '../../src/executors/bullmq/task-job';
import { RunningWorker, startWorker } from '../../src/executors/bullmq/worker';
import type { ExecutorEvent } from '../../src/core/executor';
import { eventually } from '../helpers/eventually';
import { makeTempHome, makeWorkload } from '../runner/fixtures';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';

const DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('results_dag', { schedule: null });
new FunctionOperator({ taskId: 'quick', dag, fn: (ctx) => { ctx.log.info('quick line'); return 1; } });
new FunctionOperator({ taskId: 'slow', dag, fn: async (ctx) => {
  ctx.log.info('slow line');
  await new Promise((resolve) => setTimeout(resolve, 3000));
} });
export default dag;
`;

/** What a worker reports on the results stream (read with XRANGE: no scheduler consumes here). */
describe('bullmq worker results (real Redis)', () => {
  jest.setTimeout(60_000);
  const env = makeTempHome('dagctl-worker-results-');
  const dagFile = path.join(env.dags, 'results_dag.ts');
  fs.writeFileSync(dagFile, DAG);
  const prefix = uniqueRedisPrefix('wres');
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  let config: LoadedConfig;
  let worker: RunningWorker;
  let queue: Queue;

  beforeAll(async () => {
    config = loadConfig(
      {
        DAGCTL_HOME: env.home,
        DAGCTL__REDIS__URL: TEST_REDIS_URL,
        DAGCTL__REDIS__KEY_PREFIX: prefix,
        DAGCTL__DATABASE__URL: `sqlite:///${path.join(env.home, 'unused.db')}`,
      },
      env.home,
    );
    // A generous delay keeps the test independent of this machine's load.
    worker = await startWorker(config, { queues: ['default'], concurrency: 1, startedReportDelayMs: 1000 });
    queue = new Queue('default', { connection: redisOptions(TEST_REDIS_URL), prefix });
  });
  afterAll(async () => {
    await worker.close(0);
    await queue.close();
    await deleteRedisPrefixes([prefix]);
    redis.disconnect();
    env.remove();
  });

  async function send(taskId: string, runId: string): Promise<string> {
    const base = makeWorkload(dagFile, 'results_dag', taskId);
    const workload = { ...base, key: { ...base.key, runId } };
    const jobId = taskJobId(workload.key, 1);
    const data: TaskJobData = {
      workload,
      relativeFileloc: 'results_dag.ts',
      sourceHash: null,
      sentAt: new Date().toISOString(),
    };
    await queue.add(taskId, data, { jobId });
    return jobId;
  }

  async function eventsOf(jobId: string): Promise<ExecutorEvent[]> {
    const entries = parseEntries(await redis.xrange(resultsStreamKey(prefix), '-', '+'));
    return entries.filter((e) => e.data?.jobId === jobId).map((e) => e.data!.event);
  }

  /** The events of a job once `done` holds for them. */
  function eventsOnce(jobId: string, done: (events: ExecutorEvent[]) => boolean): Promise<ExecutorEvent[]> {
    return eventually(
      async () => {
        const events = await eventsOf(jobId);
        if (!done(events)) throw new Error(`events so far: ${JSON.stringify(events.map((e) => e.type))}`);
        return events;
      },
      { what: `the events of ${jobId}`, intervalMs: 20 },
    );
  }

  it("reports a quick try's start together with its result, after its complete log", async () => {
    const warmUp = await send('quick', 'quick_0'); // the first try in a process also imports the DAG file
    await eventsOnce(warmUp, (e) => e.some((event) => event.type === 'finished'));
    const jobId = await send('quick', 'quick_1');
    const events = await eventsOnce(jobId, (e) => e.length > 0);
    // Both arrive at once: the start was held back for a try this short.
    expect(events.map((e) => e.type)).toEqual(['started', 'finished']);
    expect(events[1]).toMatchObject({ type: 'finished', outcome: { state: 'success' } });
    expect(Date.parse(events[0].at)).toBeLessThanOrEqual(Date.parse(events[1].at));
    // The log was complete in Redis when the result became visible (same MULTI).
    expect(await redis.exists(remoteLogDoneKey(prefix, jobId))).toBe(1);
    expect(await redis.get(remoteLogKey(prefix, jobId))).toContain('quick line');
  });

  it("reports a longer try's start while it runs", async () => {
    const jobId = await send('slow', 'slow_1');
    const running = await eventsOnce(jobId, (e) => e.length > 0);
    const seenRunningAt = Date.now();
    expect(running.map((e) => e.type)).toEqual(['started']);
    const ended = await eventsOnce(jobId, (e) => e.length > 1);
    expect(ended.map((e) => e.type)).toEqual(['started', 'finished']);
    // Stamped when it happened, not when reported: started before we saw it, finished after.
    expect(Date.parse(ended[0].at)).toBeLessThanOrEqual(seenRunningAt);
    expect(Date.parse(ended[1].at)).toBeGreaterThanOrEqual(seenRunningAt);
  });
});
