import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { clearTaskInstances } from '../../src/services/clear-task-instances';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { engineHarness } from '../helpers/engine-harness';
import { waitForRun } from '../helpers/run-queries';
import { DATABASE_KINDS } from '../helpers/test-database';

jest.setTimeout(240_000);

const DAGS = {
  'prev.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('prev_success', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({
  taskId: 'show',
  bashCommand: 'echo "prev={{ prev_data_interval_start_success }} started={{ prev_start_date_success }}"',
  dag,
});
export default dag;
`,
  // 'puller' runs first and pulls from 'pusher', which is downstream of it (not an ancestor).
  'pull.ts': `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('pull_any', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const puller = new FunctionOperator({
  taskId: 'puller',
  fn: (ctx) => ({ pulled: ctx.xcomPull('pusher') ?? null }),
  dag,
});
const pusher = new FunctionOperator({ taskId: 'pusher', fn: () => 'pushed value', dag });
puller.setDownstream(pusher);
export default dag;
`,
};

// The workload a try gets through the real scheduler: the previous successful run for templates,
// and the XComs of its whole run (xcomPull may read any task of the run, as in Airflow; read only
// once the run has some).
describe.each(DATABASE_KINDS)('what a queued try is given on %s', (kind) => {
  const engine = engineHarness({
    kind,
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    dags: DAGS,
  });
  let ctx: AppContext;
  beforeAll(() => {
    ({ ctx } = engine);
  });

  const returned = async (dagId: string, runId: string, taskId: string): Promise<unknown> => {
    const { records } = await execSql<{ value: string | null }>(
      ctx.dataSource,
      "SELECT value FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = ? AND key = 'return_value'",
      [dagId, runId, taskId],
    );
    return records[0]?.value == null ? undefined : JSON.parse(records[0].value);
  };

  it('renders prev_*_success from the previous successful run (asked for by the try, in its process)', async () => {
    const first = await triggerDagRun(ctx, { dagId: 'prev_success', logicalDate: new Date('2026-02-01T00:00:00Z') });
    expect(await waitForRun(ctx, 'prev_success', first.runId)).toBe('success');
    expect(await returned('prev_success', first.runId, 'show')).toBe('prev= started=');
    const { records } = await execSql<{ start_date: string | Date }>(
      ctx.dataSource,
      "SELECT start_date FROM task_instance WHERE dag_id = 'prev_success' AND run_id = ? AND task_id = 'show'",
      [first.runId],
    );
    const firstStart = new Date(records[0].start_date).toISOString().slice(0, 19);
    const second = await triggerDagRun(ctx, { dagId: 'prev_success', logicalDate: new Date('2026-02-02T00:00:00Z') });
    expect(await waitForRun(ctx, 'prev_success', second.runId)).toBe('success');
    expect(await returned('prev_success', second.runId, 'show')).toMatch(
      new RegExp(`^prev=2026-02-01T00:00:00\\S* started=${firstStart}`),
    );
  });

  it('hands a try the XComs of any task of its run, once the run has some', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'pull_any' });
    expect(await waitForRun(ctx, 'pull_any', run.runId)).toBe('success');
    // First try: nothing was pushed in the run yet.
    expect(await returned('pull_any', run.runId, 'puller')).toEqual({ pulled: null });
    await clearTaskInstances(ctx, { dagId: 'pull_any', runId: run.runId, taskIds: ['puller'] });
    expect(await waitForRun(ctx, 'pull_any', run.runId)).toBe('success');
    expect(await returned('pull_any', run.runId, 'puller')).toEqual({ pulled: 'pushed value' });
  });
});
