import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { clearTaskInstances } from '../../src/services/clear-task-instances';
import { deleteDag } from '../../src/services/delete-dag';
import { deleteDagRun } from '../../src/services/delete-dag-run';
import { testDag } from '../../src/services/test-dag';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

jest.setTimeout(120_000);

/** Two tasks that each push a value larger than the filesystem backend keeps in the row. */
const LARGE_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('xcom_files', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const big = () => ({ rows: Array.from({ length: 500 }, (_, i) => i) });
new FunctionOperator({ taskId: 'left', fn: big, dag }).then(new FunctionOperator({ taskId: 'right', fn: big, dag }));
export default dag;
`;

describe('the filesystem XCom backend purges files whose rows are gone', () => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  const dagFolder = () => path.join(home.home, 'xcom', 'dag_id=xcom_files');
  const taskFolder = (runId: string, taskId: string) =>
    path.join(dagFolder(), `run_id=${encodeURIComponent(runId)}`, `task_id=${taskId}`);

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({ databaseUrl: db.url, env: { DAGCTL__CORE__XCOM_BACKEND: 'filesystem' } });
    home.writeDag('files.ts', LARGE_DAG);
    ctx = await openTestContext(home);
    await ensureDagsParsed(ctx);
  });
  afterAll(async () => {
    await closeAppContext(ctx);
    home.remove();
    await db.drop();
  });

  it('on clearing task instances, deleting a run and deleting the DAG', async () => {
    const runs: string[] = [];
    for (const day of ['2026-04-01', '2026-04-02']) {
      const result = await testDag(ctx, 'xcom_files', { logicalDate: new Date(`${day}T00:00:00Z`) });
      expect(result.state).toBe('success');
      runs.push(result.run_id);
    }
    for (const runId of runs)
      for (const taskId of ['left', 'right']) expect(fs.existsSync(taskFolder(runId, taskId))).toBe(true);

    // Clearing one task of one run: only its files go.
    await clearTaskInstances(ctx, { dagId: 'xcom_files', taskIds: ['right'], runId: runs[0] });
    expect(fs.existsSync(taskFolder(runs[0], 'right'))).toBe(false);
    expect(fs.existsSync(taskFolder(runs[0], 'left'))).toBe(true);
    expect(fs.existsSync(taskFolder(runs[1], 'right'))).toBe(true);

    // Deleting a run: all of its files, no other run's.
    await deleteDagRun(ctx, 'xcom_files', runs[0]);
    expect(fs.existsSync(path.dirname(taskFolder(runs[0], 'left')))).toBe(false);
    expect(fs.existsSync(taskFolder(runs[1], 'left'))).toBe(true);

    // Deleting the DAG: everything it kept.
    await deleteDag(ctx, 'xcom_files');
    expect(fs.existsSync(dagFolder())).toBe(false);
  });
});
