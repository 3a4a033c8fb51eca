import { execSql } from '../../src/db/sql';
import { eventually } from '../helpers/eventually';
import { DistributedCluster } from './helpers/distributed-cluster';
import { duplicateTries } from './helpers/execution-checks';

const HOUR = 3600_000;
const startHour = new Date(Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR).toISOString();

/** Hourly with catchup: the schedulers themselves create 6 runs (the 6 complete hours before now). */
const CATCHUP_DAG = `
import { appendFileSync } from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('catchup', {
  schedule: '@hourly', startDate: '${startHour}', catchup: true, maxActiveRuns: 6, maxActiveTasks: 64,
});
for (let i = 0; i < 5; i += 1) {
  new FunctionOperator({ taskId: 't' + i, retries: 3, retryDelay: 100, dag, fn: async (ctx) => {
    const line = ctx.runId + ' ' + ctx.taskId + ' ' + ctx.tryNumber + '\\n';
    appendFileSync(process.env.DAGCTL_HOME + '/executions.log', line);
    await new Promise((resolve) => setTimeout(resolve, 1500));
  } });
}
export default dag;
`;

describe('kill -9 of one of two schedulers', () => {
  jest.setTimeout(300_000);
  const cluster = new DistributedCluster();

  beforeAll(async () => {
    await cluster.setUp({ 'catchup.ts': CATCHUP_DAG });
    await cluster.startWorker(6);
    await cluster.startWorker(6);
    cluster.startScheduler();
    cluster.startScheduler();
  });

  afterAll(() => cluster.tearDown());

  it('lets the other scheduler carry on, creating nothing twice and running no try twice', async () => {
    await eventually(async () => cluster.executions().length >= 6, {
      what: 'tasks to run',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    const [victim, survivor] = cluster.schedulers;
    victim.kill('SIGKILL');
    await victim.exited;

    await eventually(
      async () => {
        const { records } = await execSql<{ state: string; n: number }>(
          cluster.ctx.dataSource,
          "SELECT state, COUNT(*) AS n FROM dag_run WHERE dag_id = 'catchup' GROUP BY state",
        );
        const success = records.find((r) => r.state === 'success');
        return records.length === 1 && Number(success?.n) === 6;
      },
      { what: 'all 6 catch-up runs to succeed', timeoutMs: 240_000, intervalMs: 250 },
    );
    expect(survivor.running).toBe(true);

    const { records: runs } = await execSql<{ logical_date: string; n: number }>(
      cluster.ctx.dataSource,
      "SELECT logical_date, COUNT(*) AS n FROM dag_run WHERE dag_id = 'catchup' GROUP BY logical_date",
    );
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => Number(r.n) === 1)).toBe(true);

    const { records: tis } = await execSql<{ state: string; n: number }>(
      cluster.ctx.dataSource,
      "SELECT state, COUNT(*) AS n FROM task_instance WHERE dag_id = 'catchup' GROUP BY state",
    );
    expect(tis.map((r) => [r.state, Number(r.n)])).toEqual([['success', 30]]);
    const executions = cluster.executions();
    expect(duplicateTries(executions)).toEqual([]);
    expect(new Set(executions.map((e) => `${e.run}/${e.task}`)).size).toBe(30);
  });
});
