import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { eventually } from '../helpers/eventually';
import { DistributedCluster, executionDag } from './helpers/distributed-cluster';
import { duplicateTries } from './helpers/execution-checks';
import { runningTaskCount, waitForRun } from '../helpers/run-queries';

describe('kill -9 of a worker in the middle of 20 running tasks', () => {
  jest.setTimeout(300_000);
  const cluster = new DistributedCluster();

  beforeAll(async () => {
    await cluster.setUp({ 'twenty.ts': executionDag('twenty', 20, 6000) });
    await cluster.startWorker(10);
    await cluster.startWorker(10);
    cluster.startScheduler();
    await cluster.waitForDags(1);
  });

  afterAll(() => cluster.tearDown());

  it('retries the killed tries on the other worker: all succeed, none twice at the same try', async () => {
    const run = await triggerDagRun(cluster.ctx, { dagId: 'twenty', runId: 'twenty_1' });
    await eventually(async () => (await runningTaskCount(cluster.ctx.dataSource, 'twenty')) === 20, {
      what: '20 tasks to run',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    const [victim] = cluster.workers;
    const { records: victims } = await execSql<{ task_id: string }>(
      cluster.ctx.dataSource,
      "SELECT task_id FROM task_instance WHERE dag_id = 'twenty' AND state = 'running' AND hostname IS NOT NULL",
    );
    expect(victims).toHaveLength(20);
    victim.kill('SIGKILL');
    await victim.exited;

    expect(await waitForRun(cluster.ctx, 'twenty', run.runId, 240_000)).toBe('success');
    const { records } = await execSql<{ task_id: string; state: string; try_number: number }>(
      cluster.ctx.dataSource,
      "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = 'twenty'",
    );
    expect(records.every((r) => r.state === 'success')).toBe(true);
    // The tries the dead worker was running were lost and retried as new tries.
    const retried = records.filter((r) => Number(r.try_number) > 1);
    expect(retried.length).toBeGreaterThan(0);
    const { records: lost } = await execSql<{ end_reason: string }>(
      cluster.ctx.dataSource,
      "SELECT end_reason FROM task_instance_history WHERE dag_id = 'twenty' AND state = 'up_for_retry'",
    );
    expect(lost.length).toBe(retried.length);
    for (const row of lost) expect(row.end_reason).toMatch(/stopped responding|worker is gone|lost its parent|stalled/);

    const executions = cluster.executions();
    expect(duplicateTries(executions)).toEqual([]);
    // Every task's final try ran (and is the last one recorded for it).
    for (const r of records)
      expect(executions.some((e) => e.task === r.task_id && e.tryNumber === Number(r.try_number))).toBe(true);
  });
});
