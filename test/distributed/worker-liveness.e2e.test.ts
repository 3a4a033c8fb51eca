import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { eventually } from '../helpers/eventually';
import { DistributedCluster } from './helpers/distributed-cluster';
import { duplicateTries } from './helpers/execution-checks';
import { runningTaskCount, waitForRun } from '../helpers/run-queries';

const DAGS = {
  'lonely.ts': `
import { appendFileSync } from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('lonely', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
for (const id of ['a', 'b']) new FunctionOperator({ taskId: id, retries: 1, retryDelay: 100, dag, fn: async (ctx) => {
  const line = ctx.runId + ' ' + ctx.taskId + ' ' + ctx.tryNumber + '\\n';
  appendFileSync(process.env.DAGCTL_HOME + '/executions.log', line);
  await new Promise((resolve) => setTimeout(resolve, ctx.tryNumber === 1 ? 60_000 : 100));
} });
export default dag;
`,
  'graceful.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('graceful', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'quick', bashCommand: 'sleep 3; echo done', dag });
new BashOperator({ taskId: 'slow', bashCommand: 'sleep 120', dag });
export default dag;
`,
};

describe('worker liveness', () => {
  jest.setTimeout(300_000);
  const cluster = new DistributedCluster();

  beforeAll(async () => {
    await cluster.setUp(DAGS);
    cluster.startScheduler();
    await cluster.waitForDags(2);
  });

  afterAll(() => cluster.tearDown());

  it('finishes what it can within worker.shutdown_timeout on SIGTERM and reports the rest lost', async () => {
    const worker = await cluster.startWorker(2);
    const run = await triggerDagRun(cluster.ctx, { dagId: 'graceful', runId: 'graceful_1' });
    await eventually(async () => (await runningTaskCount(cluster.ctx.dataSource, 'graceful')) === 2, {
      what: 'both tasks to run',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    worker.kill('SIGTERM');
    await worker.exited;
    // shutdown_timeout is 10s in these tests: the worker exits without waiting for the 120s task,
    // which shows as the slow try failed "shut down before the try finished" (not success).
    expect(await waitForRun(cluster.ctx, 'graceful', run.runId)).toBe('failed');
    const { records } = await execSql<{ task_id: string; state: string; end_reason: string | null }>(
      cluster.ctx.dataSource,
      "SELECT task_id, state, end_reason FROM task_instance WHERE dag_id = 'graceful' ORDER BY task_id",
    );
    expect(records[0]).toMatchObject({ task_id: 'quick', state: 'success' });
    expect(records[1]).toMatchObject({
      task_id: 'slow',
      state: 'failed',
      end_reason: expect.stringMatching(/shut down before the try finished/),
    });
  });

  it('sees the last worker of a queue die (no other worker to notice) and retries its tries on a new one', async () => {
    const worker = await cluster.startWorker(2);
    const run = await triggerDagRun(cluster.ctx, { dagId: 'lonely', runId: 'lonely_1' });
    await eventually(async () => (await runningTaskCount(cluster.ctx.dataSource, 'lonely')) === 2, {
      what: 'both tasks to run',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    worker.kill('SIGKILL');
    await worker.exited;
    // No worker is left to run BullMQ's stalled check: the scheduler's reconciliation notices.
    await eventually(async () => (await runningTaskCount(cluster.ctx.dataSource, 'lonely')) === 0, {
      what: "the dead worker's tries to be lost",
      timeoutMs: 150_000,
      intervalMs: 250,
    });
    const { records: history } = await execSql<{ state: string; end_reason: string }>(
      cluster.ctx.dataSource,
      "SELECT state, end_reason FROM task_instance_history WHERE dag_id = 'lonely' AND try_number = 1",
    );
    expect(history).toHaveLength(2);
    for (const h of history)
      expect(h).toMatchObject({ state: 'up_for_retry', end_reason: expect.stringMatching(/worker/) });

    await cluster.startWorker(2);
    expect(await waitForRun(cluster.ctx, 'lonely', run.runId)).toBe('success');
    const { records } = await execSql<{ try_number: number }>(
      cluster.ctx.dataSource,
      "SELECT try_number FROM task_instance WHERE dag_id = 'lonely'",
    );
    expect(records.map((r) => Number(r.try_number))).toEqual([2, 2]);
    expect(duplicateTries(cluster.executions())).toEqual([]);
  });
});
