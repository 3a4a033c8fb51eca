import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { execSql } from '../../src/db/sql';
import { clearTaskInstances } from '../../src/services/clear-task-instances';
import { finishRunInProcess, testDag } from '../../src/services/test-dag';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/** `produce` returns a value on its first try only; `consume` and `side` report what they pull. */
const RERUN_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('xcom_rerun', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const produce = new FunctionOperator({
  taskId: 'produce',
  fn: (ctx) => (ctx.tryNumber === 1 ? 'first value' : undefined),
  dag,
});
const consume = new FunctionOperator({
  taskId: 'consume',
  fn: (ctx) => ({ seen: ctx.xcomPull('produce') ?? null }),
  dag,
});
const other = new FunctionOperator({ taskId: 'other', fn: () => 'from a sibling branch', dag });
// 'other' is no ancestor of 'side': xcomPull reads any task of the run.
const side = new FunctionOperator({ taskId: 'side', fn: (ctx) => ({ sibling: ctx.xcomPull('other') ?? null }), dag });
produce.then([consume, other]);
consume.then(side);
export default dag;
`;

/** Values that are no JSON, or too large, fail their task with a reason naming it. */
const BAD_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('xcom_bad', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'big_int', fn: () => ({ n: BigInt(1) }), dag });
new FunctionOperator({ taskId: 'a_function', fn: (ctx) => { ctx.xcomPush('callback', { run: () => 1 }); }, dag });
new FunctionOperator({
  taskId: 'a_cycle',
  fn: () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    return a;
  },
  dag,
});
new FunctionOperator({ taskId: 'too_big', fn: () => 'x'.repeat(5000), dag });
export default dag;
`;

/** A value larger than the filesystem backend keeps in the row. */
const LARGE_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('xcom_large', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const make = new FunctionOperator({
  taskId: 'make',
  fn: () => ({ rows: Array.from({ length: 500 }, (_, i) => i) }),
  dag,
});
const count = new FunctionOperator({
  taskId: 'count',
  fn: (ctx) => ctx.xcomPull<{ rows: number[] }>('make')?.rows.length,
  dag,
});
make.then(count);
export default dag;
`;

async function xcomRows(ctx: AppContext, dagId: string, runId: string): Promise<Record<string, unknown>> {
  const { records } = await execSql<{ task_id: string; key: string; value: string }>(
    ctx.dataSource,
    'SELECT task_id, key, value FROM xcom WHERE dag_id = ? AND run_id = ?',
    [dagId, runId],
  );
  return Object.fromEntries(records.map((r) => [`${r.task_id}.${r.key}`, JSON.parse(r.value) as unknown]));
}

async function endReasons(ctx: AppContext, dagId: string, runId: string): Promise<Record<string, string | null>> {
  const { records } = await execSql<{ task_id: string; end_reason: string | null }>(
    ctx.dataSource,
    'SELECT task_id, end_reason FROM task_instance WHERE dag_id = ? AND run_id = ?',
    [dagId, runId],
  );
  return Object.fromEntries(records.map((r) => [r.task_id, r.end_reason]));
}

describe.each(['database', 'filesystem'])('XComs with the %s backend', (backend) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({
      databaseUrl: db.url,
      env: { DAGCTL__CORE__XCOM_BACKEND: backend, DAGCTL__CORE__MAX_XCOM_SIZE: '4000' },
    });
    home.writeDag('rerun.ts', RERUN_DAG);
    home.writeDag('bad.ts', BAD_DAG);
    home.writeDag('large.ts', LARGE_DAG);
    ctx = await openTestContext(home);
    await ensureDagsParsed(ctx);
  });

  afterAll(async () => {
    await closeAppContext(ctx);
    home.remove();
    await db.drop();
  });

  it('a cleared task that returns nothing on its second try leaves no stale value downstream', async () => {
    const first = await testDag(ctx, 'xcom_rerun', { logicalDate: new Date('2026-03-04T00:00:00Z') });
    expect(first.state).toBe('success');
    expect(await xcomRows(ctx, 'xcom_rerun', first.run_id)).toMatchObject({
      'produce.return_value': 'first value',
      'consume.return_value': { seen: 'first value' },
    });

    await clearTaskInstances(ctx, { dagId: 'xcom_rerun', taskIds: ['produce'], runId: first.run_id, downstream: true });
    // The clear itself removes the cleared task instances' XComs.
    expect(await xcomRows(ctx, 'xcom_rerun', first.run_id)).toEqual({});

    expect(await finishRunInProcess(ctx, 'xcom_rerun', first.run_id)).toBe('success');
    const rows = await xcomRows(ctx, 'xcom_rerun', first.run_id);
    expect(rows['produce.return_value']).toBeUndefined();
    expect(rows['consume.return_value']).toEqual({ seen: null });

    // 'side' runs again once 'other' surely finished: it pulls a task that is no ancestor of it.
    await clearTaskInstances(ctx, { dagId: 'xcom_rerun', taskIds: ['side'], runId: first.run_id });
    expect(await finishRunInProcess(ctx, 'xcom_rerun', first.run_id)).toBe('success');
    expect((await xcomRows(ctx, 'xcom_rerun', first.run_id))['side.return_value']).toEqual({
      sibling: 'from a sibling branch',
    });
  });

  it('a value that is no JSON or above core.max_xcom_size fails its task, naming it', async () => {
    const run = await testDag(ctx, 'xcom_bad', { logicalDate: new Date('2026-03-05T00:00:00Z') });
    expect(run.state).toBe('failed');
    const reasons = await endReasons(ctx, 'xcom_bad', run.run_id);
    expect(reasons.big_int).toMatch(/XCom 'return_value' of task 'big_int' is not JSON: .*BigInt at the top\.n/);
    expect(reasons.a_function).toMatch(/XCom 'callback' of task 'a_function' is not JSON: .*function at the top\.run/);
    expect(reasons.a_cycle).toMatch(/XCom 'return_value' of task 'a_cycle' is not JSON: .*cycle at the top\.self/);
    expect(reasons.too_big).toMatch(
      /XCom 'return_value' of task 'too_big' is 5002 bytes .* core\.max_xcom_size \(4000\)/,
    );
    expect(await xcomRows(ctx, 'xcom_bad', run.run_id)).toEqual({});
  });

  it('a large value reaches the downstream task', async () => {
    const run = await testDag(ctx, 'xcom_large', { logicalDate: new Date('2026-03-06T00:00:00Z') });
    expect(run.state).toBe('success');
    const rows = await xcomRows(ctx, 'xcom_large', run.run_id);
    expect(rows['count.return_value']).toBe(500);
    const file = path.join(
      home.home,
      'xcom',
      'dag_id=xcom_large',
      `run_id=${encodeURIComponent(run.run_id)}`,
      'task_id=make',
      'map_index=-1',
      'return_value.json',
    );
    if (backend === 'filesystem') {
      // The row points to the file; the file holds the value.
      expect(rows['make.return_value']).toEqual({ __dagctl_xcom_file__: expect.stringContaining('task_id=make') });
      expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: number[] }).rows).toHaveLength(500);
    } else {
      expect((rows['make.return_value'] as { rows: number[] }).rows).toHaveLength(500);
      expect(fs.existsSync(file)).toBe(false);
    }
  });
});
