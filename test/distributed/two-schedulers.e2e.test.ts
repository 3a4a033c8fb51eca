import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { DistributedCluster, executionDag } from './helpers/distributed-cluster';
import { waitForRun } from '../helpers/run-queries';

describe('200 task instances across two schedulers and two workers', () => {
  jest.setTimeout(300_000);
  const cluster = new DistributedCluster();

  beforeAll(async () => {
    await cluster.setUp({ 'wide.ts': executionDag('wide', 50, 200) });
    await cluster.startWorker(8);
    await cluster.startWorker(8);
    cluster.startScheduler();
    cluster.startScheduler();
    await cluster.waitForDags(1);
  });

  afterAll(() => cluster.tearDown());

  it('runs every task instance exactly once and leaves none stuck', async () => {
    const runs = [];
    for (let i = 0; i < 4; i += 1) runs.push(await triggerDagRun(cluster.ctx, { dagId: 'wide', runId: `wide_${i}` }));
    for (const run of runs) expect(await waitForRun(cluster.ctx, 'wide', run.runId, 240_000)).toBe('success');

    const { records } = await execSql<{ state: string; try_number: number; n: number }>(
      cluster.ctx.dataSource,
      "SELECT state, try_number, COUNT(*) AS n FROM task_instance WHERE dag_id = 'wide' GROUP BY state, try_number",
    );
    expect(records.map((r) => ({ state: r.state, tries: Number(r.try_number), n: Number(r.n) }))).toEqual([
      { state: 'success', tries: 1, n: 200 },
    ]);

    // Counted by side effect: one line per execution, exactly one per task instance.
    const executions = cluster.executions();
    const perInstance = new Map<string, number>();
    for (const e of executions) perInstance.set(`${e.run}/${e.task}`, (perInstance.get(`${e.run}/${e.task}`) ?? 0) + 1);
    expect(perInstance.size).toBe(200);
    expect([...perInstance.values()].every((n) => n === 1)).toBe(true);
    expect(executions).toHaveLength(200);

    // Both schedulers queued work, and both workers ran some.
    const { records: queuers } = await execSql<{ n: number }>(
      cluster.ctx.dataSource,
      "SELECT COUNT(DISTINCT queued_by_job_id) AS n FROM task_instance WHERE dag_id = 'wide'",
    );
    expect(Number(queuers[0].n)).toBe(2);
    const { records: hosts } = await execSql<{ n: number }>(
      cluster.ctx.dataSource,
      "SELECT COUNT(DISTINCT pid) AS n FROM task_instance WHERE dag_id = 'wide'",
    );
    expect(Number(hosts[0].n)).toBeGreaterThan(1);
    expect(cluster.schedulers.every((s) => s.running)).toBe(true);
  });
});
