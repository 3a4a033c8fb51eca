import fs from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { CLEAN, FaultCluster } from './harness/fault-cluster';
import { plainTasks, workloadDag } from './harness/workload';

const FILES = 200;
const DELETED = 50;

const churnDag = (i: number, version: number): string => `
import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('churn_${i}', { schedule: null, startDate: '2026-01-01T00:00:00Z', description: 'v${version}' });
new EmptyOperator({ taskId: 'noop', dag });
export default dag;
`;

/**
 * 200 DAG files written, rewritten and partly deleted under a running scheduler (local executor,
 * SQLite) while a workload runs: the workload is unaffected.
 */
describe('fault: 200 DAG files changing under a running scheduler', () => {
  jest.setTimeout(300_000);
  const cluster = new FaultCluster({
    database: 'sqlite',
    executor: 'local',
    dags: { 'churned.ts': workloadDag('churned', plainTasks(3)) },
  });

  beforeAll(async () => {
    await cluster.setUp();
    cluster.startScheduler();
    await cluster.waitForDags();
  });

  afterAll(() => cluster.tearDown());

  it('runs the workload to the end', async () => {
    await cluster.triggerAll(3);
    await eventually(() => cluster.runningTries().length >= 4, { what: 'tries to run', timeoutMs: 120_000 });
    const file = (i: number): string => path.join(cluster.home.dagsFolder, 'churn', `churn_${i}.ts`);
    for (let i = 0; i < FILES; i += 1) cluster.home.writeDag(`churn/churn_${i}.ts`, churnDag(i, 1));
    for (let i = 0; i < FILES; i += 1) {
      // Half edited in place, half replaced by a rename (an editor's atomic save).
      if (i % 2) fs.writeFileSync(file(i), churnDag(i, 2));
      else {
        fs.writeFileSync(`${file(i)}.tmp`, churnDag(i, 2));
        fs.renameSync(`${file(i)}.tmp`, file(i));
      }
    }
    for (let i = 0; i < DELETED; i += 1) fs.rmSync(file(i));

    await cluster.waitForRunsFinal();
    const figures = await cluster.check({
      scenario: '200 DAG files changing under a running scheduler (local, SQLite)',
      injected: `${FILES} files written, rewritten (in place or renamed over), ${DELETED} deleted`,
      workload: '3 runs × 6 tasks (3 bash, 3 JS), retries 2',
    });
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'ok' });
  });
});
