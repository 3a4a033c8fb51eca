import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { getSerializedDag } from '../../src/db/reads/serialized-dag-store';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { engineHarness } from '../helpers/engine-harness';
import { maxOverlap } from '../helpers/engine-suite/max-overlap';
import { waitForRun } from '../helpers/run-queries';

/** Four tasks that could all run at once; the DAG sets no maxActiveTasks. */
const LIMITED_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('limited', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
for (let i = 0; i < 4; i++) new BashOperator({ taskId: 't' + i, bashCommand: 'sleep 0.3', dag });
export default dag;
`;

/** A task that always fails and sets no retries (neither itself nor through defaultArgs). */
const RETRIED_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('retried', {
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  defaultArgs: { retryDelay: 0 },
});
new FunctionOperator({
  taskId: 'always_fails',
  fn: (ctx) => {
    throw new Error('try ' + ctx.tryNumber + ' fails');
  },
  dag,
});
export default dag;
`;

/** Sets its own limits and retries: the config defaults do not apply. */
const OWN_DAG = `
import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('own_limits', {
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  maxActiveTasks: 3,
  maxActiveRuns: 2,
});
new EmptyOperator({ taskId: 'no_retries', retries: 0, dag });
export default dag;
`;

/**
 * core.max_active_tasks_per_dag and core.default_task_retries take effect: a real scheduler on
 * SQLite with the local executor, configured through the environment.
 */
describe('config defaults for DAGs and tasks, with a real scheduler', () => {
  const engine = engineHarness({
    kind: 'sqlite',
    env: {
      DAGCTL__CORE__EXECUTOR: 'local',
      DAGCTL__CORE__MAX_ACTIVE_TASKS_PER_DAG: '1',
      DAGCTL__CORE__MAX_ACTIVE_RUNS_PER_DAG: '3',
      DAGCTL__CORE__DEFAULT_TASK_RETRIES: '2',
      DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms',
    },
    dags: { 'limited.ts': LIMITED_DAG, 'retried.ts': RETRIED_DAG, 'own.ts': OWN_DAG },
  });
  let ctx: AppContext;
  beforeAll(() => {
    ({ ctx } = engine);
  });

  it('core.max_active_tasks_per_dag=1 keeps one task of a DAG that sets none running at a time', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'limited' });
    expect(await waitForRun(ctx, 'limited', run.runId)).toBe('success');
    const { records } = await execSql<{ task_id: string; start_date: string; end_date: string }>(
      ctx.dataSource,
      "SELECT task_id, start_date, end_date FROM task_instance WHERE dag_id = 'limited' AND run_id = ?",
      [run.runId],
    );
    expect(records).toHaveLength(4);
    expect(maxOverlap(records)).toBe(1);
  });

  it('core.default_task_retries=2 gives a failing task that sets no retries three tries', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'retried' });
    expect(await waitForRun(ctx, 'retried', run.runId)).toBe('failed');
    const { records } = await execSql<{ state: string; try_number: number; max_tries: number }>(
      ctx.dataSource,
      "SELECT state, try_number, max_tries FROM task_instance WHERE dag_id = 'retried' AND run_id = ?",
      [run.runId],
    );
    expect(records.map((r) => ({ ...r, try_number: Number(r.try_number), max_tries: Number(r.max_tries) }))).toEqual([
      { state: 'failed', try_number: 3, max_tries: 2 },
    ]);
    const { records: tries } = await execSql<{ try_number: number; state: string }>(
      ctx.dataSource,
      "SELECT try_number, state FROM task_instance_history WHERE dag_id = 'retried' AND run_id = ? ORDER BY try_number",
      [run.runId],
    );
    expect(tries.map((t) => [Number(t.try_number), t.state])).toEqual([
      [1, 'up_for_retry'],
      [2, 'up_for_retry'],
      [3, 'failed'],
    ]);
  });

  it('stores the effective values, which the API and UI details show; a DAG that sets its own keeps them', async () => {
    const { records } = await execSql<{ dag_id: string; max_active_tasks: number; max_active_runs: number }>(
      ctx.dataSource,
      'SELECT dag_id, max_active_tasks, max_active_runs FROM dag ORDER BY dag_id',
    );
    expect(records.map((r) => [r.dag_id, Number(r.max_active_tasks), Number(r.max_active_runs)])).toEqual([
      ['limited', 1, 3],
      ['own_limits', 3, 2],
      ['retried', 1, 3],
    ]);
    expect((await getSerializedDag(ctx.dataSource, 'retried'))?.dag.tasks[0].retries).toBe(2);
    expect((await getSerializedDag(ctx.dataSource, 'own_limits'))?.dag.tasks[0].retries).toBe(0);
  });
});
