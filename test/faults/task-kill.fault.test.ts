import { eventually } from '../helpers/eventually';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

/**
 * kill -9 of task processes while they run (local executor, SQLite): each killed try is retried,
 * its bash children die with it, and the retry starts only once they are gone.
 */
describe('fault: kill -9 of a task process', () => {
  jest.setTimeout(240_000);
  const cluster = new FaultCluster({
    database: 'sqlite',
    executor: 'local',
    dags: { 'kill_tasks.ts': workloadDag('kill_tasks', plainTasks(3)) },
  });

  beforeAll(async () => {
    await cluster.setUp();
    cluster.startScheduler();
    await cluster.waitForDags();
  });

  afterAll(() => cluster.tearDown());

  it('retries every killed try, none twice, none overlapping, nothing left alive', async () => {
    await cluster.triggerAll(2);
    const victims = await eventually(
      () => {
        const running = cluster.runningTries();
        const bash = running.filter((e) => e.extra === 'bash').slice(0, 2);
        const js = running.filter((e) => e.extra === 'js').slice(0, 2);
        if (bash.length < 2 || js.length < 2) throw new Error(`${running.length} tries running`);
        return [...bash, ...js];
      },
      { what: 'bash and JS tries to run', timeoutMs: 120_000, intervalMs: 100 },
    );
    for (const victim of victims) process.kill(victim.pid, 'SIGKILL');

    await cluster.waitForRunsFinal();
    const figures = await cluster.check({
      scenario: 'kill -9 of a task process (local, SQLite)',
      injected: `${victims.length} task processes killed (2 bash, 2 JS)`,
      workload: '2 runs × 6 tasks (3 bash, 3 JS), retries 2',
    });
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'ok' });
    // The killed tries were retried: each has a later try that ran.
    for (const victim of victims)
      expect(
        cluster
          .effects()
          .some(
            (e) =>
              e.phase === 'start' &&
              e.runId === victim.runId &&
              e.taskId === victim.taskId &&
              e.tryNumber > victim.tryNumber,
          ),
      ).toBe(true);
  });
});
