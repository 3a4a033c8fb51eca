import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { DATABASE_KINDS } from '../helpers/test-database';
import { eventually } from '../helpers/eventually';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

const KILLS = 10;
const FIRST_RUNS = 2;
/** A random moment 0.5–4 s after a scheduler started: the fault's timing, not a wait for something. */
const randomMoment = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 3500));

/**
 * kill -9 of `dagctl scheduler` (local executor) at random moments, restarted each time, with a
 * new run triggered after each restart so that tries are starting and running at every kill: every
 * try runs once, a try lost to a crash is run again without failing the run, nothing overlaps.
 */
describe.each(DATABASE_KINDS)('fault: kill -9 of the scheduler ×10 (%s)', (kind) => {
  jest.setTimeout(400_000);
  const cluster = new FaultCluster({
    database: kind,
    executor: 'local',
    dags: { 'crashy.ts': workloadDag('crashy', plainTasks(3)) },
    // The first runs live through every kill, and a kill finds a 2 s task running more often than
    // not: the default budget (3 platform retries, then the task's 2 retries) can be used up by
    // chance, and the run then fails as configured. Room for every kill makes the test about
    // losing and duplicating nothing, not about luck.
    env: { DAGCTL__SCHEDULER__MAX_PLATFORM_RETRIES: String(KILLS) },
  });

  beforeAll(async () => {
    await cluster.setUp();
    cluster.startScheduler();
    await cluster.waitForDags();
  });

  afterAll(() => cluster.tearDown());

  it('finishes every run with no try run twice or overlapping', async () => {
    await cluster.triggerAll(FIRST_RUNS);
    await eventually(() => cluster.runningTries().length > 0, { what: 'tries to run', timeoutMs: 120_000 });
    for (let i = 0; i < KILLS; i += 1) {
      const victim = cluster.schedulers[cluster.schedulers.length - 1];
      victim.kill('SIGKILL');
      await victim.exited;
      cluster.startScheduler();
      await triggerDagRun(cluster.ctx, { dagId: 'crashy', runId: `k${i}` });
      await randomMoment();
    }

    await cluster.waitForRunsFinal(300_000);
    const database = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    // How many running tries the kills hit: each ended lost to the platform and ran again.
    const { records } = await execSql<{ n: number | string }>(
      cluster.ctx.dataSource,
      `SELECT COUNT(*) AS n FROM task_instance_history
       WHERE dag_id = 'crashy' AND end_reason LIKE 'lost to the platform%'`,
    );
    const lostTries = Number(records[0].n);
    const figures = await cluster.check({
      scenario: `kill -9 of the scheduler ×${KILLS} at random moments (local, ${database})`,
      injected:
        `${KILLS} kill -9 at random moments 0.5–4 s apart, restarted each time; ` +
        `${lostTries} running tries lost to the platform, run again`,
      workload: `${FIRST_RUNS + KILLS} runs × 6 tasks (3 bash, 3 JS; a run triggered after each restart), retries 2`,
    });
    expect(figures).toMatchObject({ ...CLEAN, integrity: kind === 'sqlite' ? 'ok' : 'n/a' });
  });
});
