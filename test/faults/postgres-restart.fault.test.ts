import { freePort } from '../helpers/free-port';
import { PrivatePostgres } from '../helpers/services/private-postgres';
import { findPostgresBin } from '../helpers/services/service-binaries';
import { eventually } from '../helpers/eventually';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

/** How long PostgreSQL stays down: the fault itself, not a wait for something to happen. */
const DOWN_MS = 5_000;

/**
 * PostgreSQL stopped mid-run (`pg_ctl stop -m fast`: every connection cut) and started again 5 s
 * later, under `dagctl scheduler` with the local executor. A private cluster: the shared server is
 * never stopped.
 */
describe('fault: PostgreSQL restarted', () => {
  jest.setTimeout(300_000);
  let pg: PrivatePostgres;
  let cluster: FaultCluster;

  beforeAll(async () => {
    const bin = findPostgresBin();
    if (!bin) throw new Error('no PostgreSQL binaries (apt-get install -y postgresql)');
    pg = await PrivatePostgres.start(bin, await freePort());
    cluster = new FaultCluster({
      database: { url: pg.url, kind: 'postgres' },
      executor: 'local',
      dags: { 'pg_restart.ts': workloadDag('pg_restart', plainTasks(3)) },
    });
    await cluster.setUp();
    cluster.startScheduler();
    await cluster.waitForDags();
  });

  afterAll(async () => {
    await cluster?.tearDown();
    await pg?.stop();
  });

  it('finishes every run, running no try twice', async () => {
    await cluster.triggerAll(3);
    await eventually(() => cluster.runningTries().length >= 4, {
      what: 'tries to run',
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    await pg.stopServer();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    await pg.startServer();

    await cluster.waitForRunsFinal(120_000);
    const figures = await cluster.check({
      scenario: 'PostgreSQL restarted (local, PostgreSQL)',
      injected: 'private cluster stopped (fast) mid-run, started 5 s later',
      workload: '3 runs × 6 tasks (3 bash, 3 JS), retries 2',
    });
    expect(figures).toMatchObject(CLEAN);
    expect(cluster.schedulers[0].running).toBe(true);
  });
});
