import { AppContext, closeAppContext } from '../../src/app/app-context';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { renderTask } from '../../src/services/render-task';
import { testDag } from '../../src/services/test-dag';
import { execSql } from '../../src/db/sql';
import { airflowIso } from '../../src/runner/template-date';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const RENDER_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('render_me', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z', params: { who: 'world' } });
new BashOperator({
  taskId: 'report',
  bashCommand: 'echo {{ ds }} {{ params.who }} {{ prev_data_interval_start_success }} {{ task_instance_key_str }}',
  env: { RUN: '{{ run_id }}' },
  dag,
});
export default dag;
`;

const STRICT_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('strict', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'typo', bashCommand: 'echo {{ params.whom }}', dag });
export default dag;
`;

const LENIENT_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('lenient', { schedule: null, startDate: '2026-01-01T00:00:00Z', templateUndefined: 'empty' });
new BashOperator({ taskId: 'typo', bashCommand: 'echo [{{ params.whom }}]', dag });
export default dag;
`;

describe('tasks render', () => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({ databaseUrl: db.url });
    home.writeDag('render.ts', RENDER_DAG);
    home.writeDag('lenient.ts', LENIENT_DAG);
    home.writeDag('strict.ts', STRICT_DAG);
    ctx = await openTestContext(home);
    await ensureDagsParsed(ctx);
  });

  afterAll(async () => {
    await closeAppContext(ctx);
    home.remove();
    await db.drop();
  });

  it('renders for a logical date without a run, and for a run after a successful one', async () => {
    const before = await renderTask(ctx, {
      dagId: 'render_me',
      taskId: 'report',
      logicalDate: new Date('2026-03-03T00:00:00Z'),
    });
    expect(before.fields).toEqual({
      bashCommand: 'echo 2026-03-03 world  render_me__report__20260303',
      env: { RUN: 'manual__2026-03-03T00:00:00.000Z' },
    });

    const first = await testDag(ctx, 'render_me', { logicalDate: new Date('2026-03-03T00:00:00Z') });
    expect(first.state).toBe('success');
    const { records } = await execSql<{ data_interval_start: string }>(
      ctx.dataSource,
      'SELECT data_interval_start FROM dag_run WHERE run_id = ?',
      [first.run_id],
    );
    const prevStart = airflowIso(new Date(records[0].data_interval_start));
    const second = await testDag(ctx, 'render_me', { logicalDate: new Date('2026-03-04T00:00:00Z') });
    // The run of 2026-03-03 succeeded: it is the previous successful run of the one of 2026-03-04.
    expect((await renderTask(ctx, { dagId: 'render_me', taskId: 'report', runId: second.run_id })).fields).toEqual({
      bashCommand: `echo 2026-03-04 world ${prevStart} render_me__report__20260304`,
      env: { RUN: second.run_id },
    });
  });

  it('fails naming the field and the name; templateUndefined: empty renders it empty', async () => {
    await expect(
      renderTask(ctx, { dagId: 'strict', taskId: 'typo', logicalDate: new Date('2026-03-03T00:00:00Z') }),
    ).rejects.toThrow("cannot render strict.typo: template error in field 'bashCommand': 'params.whom' is undefined");
    const lenient = await renderTask(ctx, { dagId: 'lenient', taskId: 'typo', logicalDate: new Date('2026-03-03') });
    expect(lenient.fields).toEqual({ bashCommand: 'echo []' });
  });
});
