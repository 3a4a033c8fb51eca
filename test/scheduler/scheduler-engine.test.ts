import { closeAppContext, AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { runScheduler } from '../../src/scheduler/scheduler-job';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { createTestHome, openTestContext, TestHome, waitFor } from '../helpers/dagctl-home';

const ENGINE_DAG = `
import { DAG, BashOperator, FunctionOperator, BranchOperator, EmptyOperator, ShortCircuitOperator } from 'dagctl';

const dag = new DAG('engine', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const start = new EmptyOperator({ taskId: 'start', dag });
const produce = new FunctionOperator({ taskId: 'produce', fn: () => 21, dag });
const double = new FunctionOperator({ taskId: 'double', fn: (ctx) => (ctx.xcomPull<number>('produce') ?? 0) * 2, dag });
const flaky = new FunctionOperator({ taskId: 'flaky', retries: 2, retryDelay: 10, fn: (ctx) => { if (ctx.tryNumber < 2) throw new Error('first try fails'); return ctx.tryNumber; }, dag });
const skipper = new BashOperator({ taskId: 'skipper', bashCommand: 'echo skipping; exit 99', dag });
const afterSkip = new FunctionOperator({ taskId: 'after_skip', fn: () => 'never', dag });
const branch = new BranchOperator({ taskId: 'branch', fn: () => 'left', dag });
const left = new FunctionOperator({ taskId: 'left', fn: () => 'L', dag });
const right = new FunctionOperator({ taskId: 'right', fn: () => 'R', dag });
const gate = new ShortCircuitOperator({ taskId: 'gate', fn: () => false, dag });
const gated = new FunctionOperator({ taskId: 'gated', fn: () => 'no', dag });
const join = new FunctionOperator({ taskId: 'join', triggerRule: 'none_failed', fn: (ctx) => ctx.xcomPull('double'), dag });
start.then([produce, flaky, skipper, branch, gate]);
produce.then(double);
skipper.then(afterSkip);
branch.then([left, right]);
gate.then(gated);
join.setUpstream([double, flaky, left, right, afterSkip]);
export default dag;
`;

const FAILING_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('failing', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const boom = new FunctionOperator({ taskId: 'boom', fn: () => { throw new Error('boom'); }, dag });
const after = new FunctionOperator({ taskId: 'after', fn: () => 1, dag });
const cleanup = new FunctionOperator({ taskId: 'cleanup', triggerRule: 'all_done', fn: () => 'cleaned', dag });
boom.then(after).then(cleanup);
export default dag;
`;

const TIMEOUT_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('timeouts', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'sleepy', bashCommand: 'echo $$ > "$PID_FILE"; sleep 60', env: { PID_FILE: process.env.DAGCTL_HOME + '/sleepy.pid' }, executionTimeout: '1s', dag });
export default dag;
`;

const ONCE_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('once', { schedule: '@once', startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'only', fn: () => 'ran', dag });
export default dag;
`;

const POOLED_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('pooled', { schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveTasks: 3 });
for (let i = 0; i < 6; i++) new BashOperator({ taskId: 'p' + i, pool: 'tiny', bashCommand: 'sleep 0.4', dag });
for (let i = 0; i < 6; i++) new BashOperator({ taskId: 'm' + i, bashCommand: 'sleep 0.4', dag });
export default dag;
`;

/** The most task instances whose [start, end] intervals overlap at one moment. */
function maxOverlap(rows: Array<{ start_date: string; end_date: string }>): number {
  const points = rows.flatMap((r) => [[Date.parse(r.start_date), 1], [Date.parse(r.end_date), -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let most = 0;
  for (const [, delta] of points) most = Math.max(most, (current += delta));
  return most;
}

type Combo = [kind: 'sqlite' | 'postgres', executor: 'local' | 'sequential'];
const COMBOS: Combo[] = [['sqlite', 'local'], ['sqlite', 'sequential'], ['postgres', 'local'], ['postgres', 'sequential']];

async function runStates(ctx: AppContext, dagId: string, runId: string) {
  const { records } = await execSql<{ task_id: string; state: string | null; try_number: number }>(ctx.dataSource,
    'SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?', [dagId, runId]);
  return Object.fromEntries(records.map((r) => [r.task_id, { state: r.state, tries: Number(r.try_number) }]));
}

async function waitForRun(ctx: AppContext, dagId: string, runId: string): Promise<string> {
  return waitFor(`run ${dagId}/${runId} to finish`, async () => {
    const { records } = await execSql<{ state: string }>(ctx.dataSource, 'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?', [dagId, runId]);
    return records[0] && ['success', 'failed'].includes(records[0].state) ? records[0].state : undefined;
  }, 90_000);
}

describe.each(COMBOS)('scheduler engine on %s with the %s executor', (kind, executor) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let abort: AbortController;
  let scheduler: Promise<void>;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url, env: { DAGCTL__CORE__EXECUTOR: executor, DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' } });
    home.writeDag('engine.ts', ENGINE_DAG);
    home.writeDag('failing.ts', FAILING_DAG);
    home.writeDag('timeouts.ts', TIMEOUT_DAG);
    home.writeDag('once.ts', ONCE_DAG);
    home.writeDag('pooled.ts', POOLED_DAG);
    ctx = await openTestContext(home);
    abort = new AbortController();
    scheduler = runScheduler(ctx, { signal: abort.signal });
    await waitFor('DAGs to be parsed', async () => {
      const { records } = await execSql<{ n: number }>(ctx.dataSource, 'SELECT COUNT(*) AS n FROM serialized_dag');
      return Number(records[0].n) === 5 ? true : undefined;
    });
  });

  afterAll(async () => {
    abort?.abort();
    await scheduler?.catch(() => undefined);
    if (ctx) await closeAppContext(ctx);
    await db?.drop();
    home?.remove();
  });

  it('runs trigger rules, XComs, retries, bash skip, branching and short-circuit to Airflow results', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'engine' });
    expect(await waitForRun(ctx, 'engine', run.runId)).toBe('success');
    const states = await runStates(ctx, 'engine', run.runId);
    expect(states).toMatchObject({
      start: { state: 'success' },
      produce: { state: 'success', tries: 1 },
      double: { state: 'success' },
      flaky: { state: 'success', tries: 2 },
      skipper: { state: 'skipped' },
      after_skip: { state: 'skipped' },
      branch: { state: 'success' },
      left: { state: 'success' },
      right: { state: 'skipped' },
      gate: { state: 'success' },
      gated: { state: 'skipped' },
      join: { state: 'success' },
    });
    const { records } = await execSql<{ value: string }>(ctx.dataSource, "SELECT value FROM xcom WHERE dag_id = 'engine' AND run_id = ? AND task_id = 'join'", [run.runId]);
    expect(JSON.parse(records[0].value)).toBe(42);
  });

  it('creates and runs a scheduled @once run by itself, exactly once', async () => {
    const state = await waitFor('the @once run', async () => {
      const { records } = await execSql<{ state: string; run_type: string }>(ctx.dataSource, "SELECT state, run_type FROM dag_run WHERE dag_id = 'once'");
      return records.length && records[0].state === 'success' ? records : undefined;
    });
    expect(state).toEqual([{ state: 'success', run_type: 'scheduled' }]);
  });

  it('keeps pool slots and max_active_tasks', async () => {
    await execSql(ctx.dataSource, "INSERT INTO slot_pool (pool, slots, description) VALUES ('tiny', 2, 'test')");
    const run = await triggerDagRun(ctx, { dagId: 'pooled' });
    expect(await waitForRun(ctx, 'pooled', run.runId)).toBe('success');
    const { records } = await execSql<{ task_id: string; start_date: string; end_date: string }>(ctx.dataSource,
      "SELECT task_id, start_date, end_date FROM task_instance WHERE dag_id = 'pooled' AND run_id = ?", [run.runId]);
    expect(records).toHaveLength(12);
    expect(maxOverlap(records.filter((r) => r.task_id.startsWith('p')))).toBeLessThanOrEqual(2);
    expect(maxOverlap(records)).toBeLessThanOrEqual(3);
  });

  it('fails a run from its leaves, propagating upstream_failed and still running all_done tasks', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'failing' });
    expect(await waitForRun(ctx, 'failing', run.runId)).toBe('success');
    // cleanup (all_done) is the only leaf and succeeded, so the run succeeds like in Airflow.
    expect(await runStates(ctx, 'failing', run.runId)).toMatchObject({
      boom: { state: 'failed', tries: 1 }, after: { state: 'upstream_failed' }, cleanup: { state: 'success' },
    });
  });

  it('kills a task that exceeds its execution timeout', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'timeouts' });
    expect(await waitForRun(ctx, 'timeouts', run.runId)).toBe('failed');
    const { records } = await execSql<{ end_reason: string }>(ctx.dataSource, "SELECT end_reason FROM task_instance WHERE dag_id = 'timeouts' AND run_id = ?", [run.runId]);
    expect(records[0].end_reason).toMatch(/timeout/i);
    const fs = await import('node:fs');
    const pid = Number(fs.readFileSync(`${home.home}/sleepy.pid`, 'utf8'));
    await waitFor('the timed-out bash process to be gone', async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 10_000);
  });
});
