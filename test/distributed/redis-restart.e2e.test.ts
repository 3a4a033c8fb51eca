import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { eventually } from '../helpers/eventually';
import { DistributedCluster } from './helpers/distributed-cluster';
import { duplicateTries } from './helpers/execution-checks';
import { freePort } from '../helpers/free-port';
import { PrivateRedis } from '../helpers/services/private-redis';
import { runningTaskCount, waitForRun } from '../helpers/run-queries';

/** Three stages of four tasks: some run, some wait queued, some are not even scheduled when Redis goes. */
const STAGED_DAG = `
import { appendFileSync } from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('staged', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const task = (taskId: string) => new FunctionOperator({ taskId, retries: 3, retryDelay: 100, dag, fn: async (ctx) => {
  const line = ctx.runId + ' ' + ctx.taskId + ' ' + ctx.tryNumber + '\\n';
  appendFileSync(process.env.DAGCTL_HOME + '/executions.log', line);
  await new Promise((resolve) => setTimeout(resolve, 2500));
} });
const stages = [0, 1, 2].map((s) => [0, 1, 2, 3].map((i) => task('s' + s + '_' + i)));
stages[0].forEach((t) => t.then(stages[1]));
stages[1].forEach((t) => t.then(stages[2]));
export default dag;
`;

describe('Redis restarted (losing every key) during a run', () => {
  jest.setTimeout(300_000);
  const cluster = new DistributedCluster();
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    await cluster.setUp({ 'staged.ts': STAGED_DAG }, { DAGCTL__REDIS__URL: redis.url });
    // Two workers of 2: four tasks run while the rest of a stage waits in Redis.
    await cluster.startWorker(2);
    await cluster.startWorker(1);
    cluster.startScheduler();
    await cluster.waitForDags(1);
  });

  afterAll(async () => {
    await cluster.tearDown();
    await redis?.remove();
  });

  it('completes the run', async () => {
    const run = await triggerDagRun(cluster.ctx, { dagId: 'staged', runId: 'staged_1' });
    await eventually(async () => (await runningTaskCount(cluster.ctx.dataSource, 'staged')) >= 2, {
      what: 'the first tasks to run',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    const { records: queued } = await execSql<{ n: number }>(
      cluster.ctx.dataSource,
      "SELECT COUNT(*) AS n FROM task_instance WHERE dag_id = 'staged' AND state = 'queued'",
    );
    expect(Number(queued[0].n)).toBeGreaterThan(0);

    const components = [...cluster.schedulers, ...cluster.workers];
    const seenBefore = components.map((p) => p.output.length);
    await redis.kill();
    // Back only once the scheduler and every worker have met the outage.
    await eventually(() => components.every((p, i) => /cannot reach Redis/.test(p.output.slice(seenBefore[i]))), {
      what: 'the scheduler and the workers to report Redis unreachable',
      timeoutMs: 60_000,
    });
    await redis.start();

    expect(await waitForRun(cluster.ctx, 'staged', run.runId, 240_000)).toBe('success');
    const { records } = await execSql<{ state: string; n: number }>(
      cluster.ctx.dataSource,
      "SELECT state, COUNT(*) AS n FROM task_instance WHERE dag_id = 'staged' GROUP BY state",
    );
    expect(records.map((r) => [r.state, Number(r.n)])).toEqual([['success', 12]]);
    expect(duplicateTries(cluster.executions())).toEqual([]);
    // Every component is still up after the outage.
    expect([...cluster.schedulers, ...cluster.workers].every((p) => p.running)).toBe(true);
  });
});
