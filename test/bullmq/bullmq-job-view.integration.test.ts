import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { loadConfig, LoadedConfig } from '../../src/config/load-config';
import { BullMQExecutor } from '../../src/executors/bullmq/bullmq-executor';
import { taskJobId } from '../../src/executors/bullmq/bullmq-keys';
import { JOB_LOG_MAX_LINES } from '../../src/executors/bullmq/job-log-tail';
import { redisOptions } from '../../src/executors/bullmq/redis-options';
import { RunningWorker, startWorker } from '../../src/executors/bullmq/worker';
import { EventRecorder } from '../executors/event-recorder';
import { eventually } from '../helpers/eventually';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';
import { makeTempHome, makeWorkload } from '../runner/fixtures';

const SECRET = 's3cr3t-token-value';
const DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('view_dag', { schedule: null });
new FunctionOperator({ taskId: 'fails', retries: 3, dag, fn: (ctx) => {
  ctx.maskSecret(${JSON.stringify(SECRET)});
  ctx.log.info('about to fail with ${SECRET}');
  throw new Error('task boom');
} });
new FunctionOperator({ taskId: 'works', dag, fn: (ctx) => { ctx.log.info('all good'); return 42; } });
new FunctionOperator({ taskId: 'chatty', dag, fn: (ctx) => {
  for (let i = 1; i <= 3000; i++) ctx.log.info('chatty line ' + i);
} });
export default dag;
`;

/**
 * What BullMQ's own Queue API (and so bull-board) sees of dagctl's tries: a failed try is a failed
 * job with the try's reason, never retried by BullMQ, and the job's logs hold the end of the try's
 * masked log — while the executor's own events are what they always were.
 */
describe("dagctl's BullMQ jobs through BullMQ's Queue API (real Redis)", () => {
  jest.setTimeout(120_000);
  const env = makeTempHome('dagctl-bullmq-view-');
  const dagFile = path.join(env.dags, 'view_dag.ts');
  fs.writeFileSync(dagFile, DAG);
  const prefix = uniqueRedisPrefix('view');
  let config: LoadedConfig;
  let executor: BullMQExecutor;
  let recorder: EventRecorder;
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
    executor = new BullMQExecutor(config, { dataSource: null });
    recorder = new EventRecorder(executor);
    await executor.start();
    worker = await startWorker(config, { queues: ['default'], concurrency: 2 });
    queue = new Queue('default', { connection: redisOptions(TEST_REDIS_URL), prefix });
  });
  afterAll(async () => {
    await worker?.close(0);
    await executor?.terminate();
    await queue?.close();
    await deleteRedisPrefixes([prefix]);
    env.remove();
  });

  const send = (taskId: string, runId: string): string => {
    const base = makeWorkload(dagFile, 'view_dag', taskId);
    const workload = { ...base, key: { ...base.key, runId } };
    executor.queueWorkload(workload);
    return taskJobId(workload.key, workload.tryNumber);
  };

  it('shows a failed try as a failed job with its reason and masked log lines', async () => {
    const jobId = send('fails', 'run_fail');
    // The executor reports the failure as before (the scheduler then decides on a retry).
    const end = await recorder.endOf('fails', 'run_fail');
    expect(end).toMatchObject({ type: 'finished', outcome: { state: 'failed' } });
    expect(end.type === 'finished' && end.outcome.reason).toContain('task boom');

    const failed = await eventually(
      async () => {
        const job = (await queue.getFailed()).find((j) => j.id === jobId);
        if (!job) throw new Error(`not failed yet: ${await queue.getJobState(jobId)}`);
        return job;
      },
      { what: 'the failed job' },
    );
    expect(failed.failedReason).toContain('task boom');
    expect(failed.opts.attempts).toBe(1);
    expect(failed.attemptsMade).toBe(1);
    expect(await queue.getJobState(jobId)).toBe('failed');

    const { logs, count } = await queue.getJobLogs(jobId);
    expect(count).toBe(logs.length);
    expect(logs.some((line) => line.includes('about to fail with ***'))).toBe(true);
    expect(logs.some((line) => line.includes('task boom'))).toBe(true);
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('leaves a successful try a completed job with its result and log lines', async () => {
    const jobId = send('works', 'run_ok');
    expect(await recorder.endOf('works', 'run_ok')).toMatchObject({ outcome: { state: 'success' } });
    const done = await eventually(
      async () => {
        const job = (await queue.getCompleted()).find((j) => j.id === jobId);
        if (!job) throw new Error(`not completed yet: ${await queue.getJobState(jobId)}`);
        return job;
      },
      { what: 'the completed job' },
    );
    expect(done.returnvalue).toMatchObject({ kind: 'finished', outcome: { state: 'success' } });
    const { logs } = await queue.getJobLogs(jobId);
    expect(logs.some((line) => line.includes('all good'))).toBe(true);
  });

  it("keeps only the end of a long try's log in the job", async () => {
    const jobId = send('chatty', 'run_chatty');
    await recorder.endOf('chatty', 'run_chatty');
    const { logs, count } = await eventually(
      async () => {
        const read = await queue.getJobLogs(jobId);
        if (!read.logs.some((line) => line.includes('chatty line 3000'))) throw new Error(`${read.count} lines`);
        return read;
      },
      { what: 'the log lines of the chatty job' },
    );
    expect(count).toBeLessThanOrEqual(JOB_LOG_MAX_LINES);
    expect(logs.join('\n').length).toBeLessThanOrEqual(64 * 1024);
    expect(logs.some((line) => line.includes('chatty line 1 '))).toBe(false);
  });
});
