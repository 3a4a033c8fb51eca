import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { finishedRunState } from '../helpers/run-queries';

/** More upstream tasks than the incremental decision reads row by row: decided from counts. */
const WIDE = 450;
const dagSource = (dagId: string, failing: number | null) => `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('${dagId}', { schedule: null, maxActiveTasks: 32 });
const start = new FunctionOperator({ taskId: 'start', fn: () => 1, dag });
const join = new FunctionOperator({ taskId: 'join', fn: () => 'joined', dag });
for (let i = 0; i < ${WIDE}; i++) {
  const t = new FunctionOperator({ taskId: 'part_' + i, dag, fn: () => {
    if (i === ${failing ?? -1}) throw new Error('part failed');
  } });
  start.then(t).then(join);
}
export default dag;
`;

describe('a wide fan-in decided from state counts', () => {
  const engine = engineHarness({
    kind: 'sqlite',
    dags: { 'wide_ok.ts': dagSource('wide_ok', null), 'wide_failing.ts': dagSource('wide_failing', 123) },
  });
  let ctx: AppContext;
  beforeAll(() => {
    ({ ctx } = engine);
  });

  async function finish(dagId: string): Promise<{ run: string; join: string | null }> {
    const run = await triggerDagRun(ctx, { dagId });
    return eventually(
      async () => {
        const state = await finishedRunState(ctx.dataSource, dagId, run.runId);
        const { records: join } = await execSql<{ state: string | null }>(
          ctx.dataSource,
          "SELECT state FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = 'join'",
          [dagId, run.runId],
        );
        return { run: state, join: join[0].state };
      },
      { what: `${dagId} to finish`, timeoutMs: 120_000, intervalMs: 100 },
    );
  }

  it('runs the join once every part succeeded', async () => {
    expect(await finish('wide_ok')).toEqual({ run: 'success', join: 'success' });
  }, 150_000);

  it('marks the join upstream_failed when one part failed', async () => {
    expect(await finish('wide_failing')).toEqual({ run: 'failed', join: 'upstream_failed' });
  }, 150_000);
});
