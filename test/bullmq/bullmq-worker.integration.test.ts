import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { loadConfig, LoadedConfig } from '../../src/config/load-config';
import { FakeClock } from '../../src/core/clock';
import { execSql } from '../../src/db/sql';
import { BullMQExecutor } from '../../src/executors/bullmq/bullmq-executor';
import { listWorkers } from '../../src/executors/bullmq/list-workers';
import { redisOptions } from '../../src/executors/bullmq/redis-options';
import { closeRemoteLogReaders, readRemoteLog } from '../../src/executors/bullmq/remote-log';
import { RunningWorker, startWorker } from '../../src/executors/bullmq/worker';
import type { TaskWorkload } from '../../src/core/executor';
import { taskLogPath } from '../../src/logging/task-log-path';
import { EventRecorder } from '../executors/event-recorder';
import { openMigratedTestDatabase } from '../helpers/test-database';
import { makeTempHome, makeWorkload } from '../runner/fixtures';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-port';
import { PrivateRedis } from '../helpers/services/private-redis';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';

const DAG = `
import { appendFileSync } from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('worker_dag', { schedule: null });
new FunctionOperator({ taskId: 'count', dag, fn: async (ctx) => {
  appendFileSync(String(ctx.dagRun.conf.file), ctx.runId + ' ' + ctx.tryNumber + '\\n');
  await new Promise((resolve) => setTimeout(resolve, Number(ctx.dagRun.conf.sleepMs ?? 0)));
  return ctx.tryNumber;
} });
new FunctionOperator({ taskId: 'chatty', dag, fn: async (ctx) => {
  ctx.log.info('first line from the worker');
  await new Promise((resolve) => setTimeout(resolve, Number(ctx.dagRun.conf.sleepMs ?? 3000)));
  ctx.log.info('last line from the worker');
} });
export default dag;
`;

describe('bullmq worker and executor', () => {
  jest.setTimeout(120_000);
  const env = makeTempHome('dagctl-bullmq-');
  const dagFile = path.join(env.dags, 'worker_dag.ts');
  fs.writeFileSync(dagFile, DAG);
  const prefixes: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let counter = 0;

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await closeRemoteLogReaders();
    await deleteRedisPrefixes(prefixes);
    env.remove();
  });

  function config(overrides: Record<string, string> = {}): LoadedConfig {
    const prefix = uniqueRedisPrefix('worker');
    prefixes.push(prefix);
    return loadConfig(
      {
        DAGCTL_HOME: env.home,
        DAGCTL__REDIS__URL: TEST_REDIS_URL,
        DAGCTL__REDIS__KEY_PREFIX: prefix,
        DAGCTL__DATABASE__URL: `sqlite:///${path.join(env.home, 'unused.db')}`,
        ...overrides,
      },
      env.home,
    );
  }

  async function executor(
    cfg: LoadedConfig,
    options: ConstructorParameters<typeof BullMQExecutor>[1] = { dataSource: null },
  ): Promise<{ executor: BullMQExecutor; recorder: EventRecorder }> {
    const ex = new BullMQExecutor(cfg, options);
    const recorder = new EventRecorder(ex);
    await ex.start();
    cleanups.push(() => ex.terminate());
    return { executor: ex, recorder };
  }

  async function worker(cfg: LoadedConfig, concurrency = 2): Promise<RunningWorker> {
    const w = await startWorker(cfg, {
      queues: ['default'],
      concurrency,
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
    });
    cleanups.push(() => w.close(0));
    return w;
  }

  /** The `default` queue of a config, as a worker sees it (closed after the test). */
  function queueOf(cfg: LoadedConfig): Queue {
    const queue = new Queue('default', { connection: redisOptions(cfg.redis.url), prefix: cfg.redis.key_prefix });
    cleanups.push(() => queue.close());
    return queue;
  }

  /** Wait until no job of the queue waits or runs (every job sent so far has ended). */
  async function drained(queue: Queue): Promise<void> {
    await eventually(
      async () => expect(await queue.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active')).toBe(0),
      { what: 'the queue to drain' },
    );
  }

  function workload(
    taskId: string,
    conf: Record<string, unknown> = {},
    overrides: Partial<TaskWorkload> = {},
  ): TaskWorkload {
    counter += 1;
    const base = makeWorkload(dagFile, 'worker_dag', taskId, { conf, ...overrides });
    return { ...base, key: { ...base.key, runId: `run_${counter}` } };
  }

  it('runs a try sent twice (by two schedulers) once, and a new try as a new job', async () => {
    const cfg = config();
    const file = path.join(env.home, `count-${Date.now()}.txt`);
    const first = await executor(cfg);
    const second = await executor(cfg);
    await worker(cfg);
    const w = workload('count', { file, sleepMs: 300 });
    first.executor.queueWorkload(w);
    second.executor.queueWorkload(w);
    // Results go to whichever scheduler takes them first: look at both.
    const finished = (tryNumber: number) =>
      first.recorder.waitFor(
        () => {
          second.recorder.events.push(...second.executor.drainEvents());
          return [...first.recorder.events, ...second.recorder.events].some(
            (e) => e.type === 'finished' && e.key.runId === w.key.runId && e.tryNumber === tryNumber,
          );
        },
        60_000,
        `try ${tryNumber} to finish`,
      );
    await finished(1);
    first.executor.queueWorkload({ ...w, tryNumber: 2 });
    await finished(2);
    // Had the duplicate of try 1 become a job, it would have run by the time the queue is empty.
    await drained(queueOf(cfg));
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toEqual([`${w.key.runId} 1`, `${w.key.runId} 2`]);
  });

  it('fails, without retry, a try whose DAG file or task no longer exists on the worker', async () => {
    const cfg = config();
    const { executor: ex, recorder } = await executor(cfg);
    await worker(cfg);
    const missingTask = workload('vanished');
    const missingFile = workload('count', {}, { fileloc: path.join(env.dags, 'deleted.ts') });
    ex.queueWorkload(missingTask);
    ex.queueWorkload(missingFile);
    expect(await recorder.endOf('vanished')).toMatchObject({
      type: 'finished',
      outcome: { state: 'failed', noRetry: true, reason: expect.stringMatching(/task 'vanished' no longer exists/) },
    });
    expect(await recorder.endOf('count', missingFile.key.runId)).toMatchObject({
      type: 'finished',
      outcome: { state: 'failed', noRetry: true, reason: expect.stringMatching(/no longer exists/) },
    });
  });

  it('fails a try whose DAG file on the worker is another version than the scheduler parsed', async () => {
    const db = await openMigratedTestDatabase('sqlite');
    cleanups.push(() => db.close());
    await execSql(db.dataSource, 'INSERT INTO dag_code (fileloc, source_code, last_updated) VALUES (?, ?, ?)', [
      dagFile,
      '// an older version',
      new Date().toISOString(),
    ]);
    const cfg = config();
    const clock = new FakeClock(new Date());
    const { executor: ex, recorder } = await executor(cfg, { dataSource: db.dataSource, clock });
    await worker(cfg);
    const stale = workload('count', { file: path.join(env.home, 'never.txt') });
    ex.queueWorkload(stale);
    const end = await recorder.endOf('count', stale.key.runId);
    expect(end).toMatchObject({
      type: 'finished',
      outcome: {
        state: 'failed',
        reason: expect.stringMatching(
          /another version than the scheduler parsed .*scheduler [0-9a-f]{12}, worker [0-9a-f]{12}/,
        ),
      },
    });
    expect(fs.existsSync(path.join(env.home, 'never.txt'))).toBe(false);

    // The same source as the worker's: it runs.
    await execSql(db.dataSource, 'UPDATE dag_code SET source_code = ? WHERE fileloc = ?', [
      fs.readFileSync(dagFile, 'utf8'),
      dagFile,
    ]);
    clock.advance('6s'); // past the executor's 5 s cache of source hashes
    const current = workload('count', { file: path.join(env.home, `current-${Date.now()}.txt`) });
    ex.queueWorkload(current);
    expect(await recorder.endOf('count', current.key.runId)).toMatchObject({
      type: 'finished',
      outcome: { state: 'success' },
    });
  });

  it("serves a running try's log from Redis and copies it to the scheduler's log folder at the end", async () => {
    const schedulerSide = config();
    const workerLogs = path.join(env.home, 'worker-logs');
    const workerSide: LoadedConfig = {
      ...schedulerSide,
      logging: { ...schedulerSide.logging, base_log_folder: workerLogs },
    };
    const { executor: ex, recorder } = await executor(schedulerSide);
    await worker(workerSide);
    const w = workload('chatty', { sleepMs: 3000 });
    ex.queueWorkload(w);
    await recorder.startOf('chatty', w.key.runId);
    const chunk = await eventually(
      async () => {
        const read = await readRemoteLog(schedulerSide, w.key, 1, 0);
        expect(read?.content).toContain('first line from the worker');
        return read;
      },
      { what: 'the first line in Redis', timeoutMs: 10_000 },
    );
    expect(chunk).toMatchObject({ complete: false, content: expect.stringContaining('first line from the worker') });
    expect(chunk?.content).not.toContain('last line from the worker');
    const schedulerLog = taskLogPath(schedulerSide.logging.base_log_folder, w.key, 1);
    expect(fs.existsSync(schedulerLog)).toBe(false);

    expect(await recorder.endOf('chatty', w.key.runId)).toMatchObject({
      type: 'finished',
      outcome: { state: 'success' },
    });
    const copied = fs.readFileSync(schedulerLog, 'utf8');
    expect(copied).toBe(fs.readFileSync(taskLogPath(workerLogs, w.key, 1), 'utf8'));
    expect(copied).toContain('last line from the worker');
    const rest = await readRemoteLog(schedulerSide, w.key, 1, chunk?.nextOffset ?? 0);
    expect(rest).toMatchObject({ complete: true, content: expect.stringContaining('last line from the worker') });
    expect(await readRemoteLog(schedulerSide, { ...w.key, taskId: 'never_ran' }, 1)).toBeNull();
  });

  it('starts the tries with the highest priority weight first', async () => {
    const cfg = config();
    const { executor: ex, recorder } = await executor(cfg);
    const file = path.join(env.home, `order-${Date.now()}.txt`);
    const weights = [1, 50, 10, -5];
    const workloads = weights.map((priority) => workload('count', { file }, { priority }));
    for (const w of workloads) ex.queueWorkload(w);
    const queue = queueOf(cfg);
    await eventually(
      async () => expect(await queue.getJobCountByTypes('waiting', 'prioritized')).toBe(weights.length),
      {
        what: 'all jobs to be in Redis before a worker looks',
      },
    );
    const running = await worker(cfg, 1);
    for (const w of workloads) await recorder.endOf('count', w.key.runId);
    expect((await listWorkers(cfg)).map((beat) => [beat.id, beat.queues, beat.concurrency])).toEqual([
      [running.id, ['default'], 1],
    ]);
    const order = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    const byWeight = [...workloads].sort((a, b) => b.priority - a.priority).map((w) => w.key.runId);
    expect(order).toEqual(byWeight);
  });

  it('keeps working when Redis is unreachable at start, and sends the queued tries once it is up', async () => {
    const redis = new PrivateRedis(await freePort());
    cleanups.push(() => redis.remove());
    const cfg = config({ DAGCTL__REDIS__URL: redis.url });
    const { executor: ex, recorder } = await executor(cfg);
    const w = workload('count', { file: path.join(env.home, `late-${Date.now()}.txt`) });
    expect(() => ex.queueWorkload(w)).not.toThrow();
    expect(ex.slotsAvailable()).toBe(cfg.core.parallelism - 1);
    await eventually(() => ex.redisDown, { what: 'the executor to find Redis unreachable' });
    await redis.start();
    await worker(cfg);
    expect(await recorder.endOf('count', w.key.runId)).toMatchObject({
      type: 'finished',
      outcome: { state: 'success' },
    });
  });
});
