import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { holdTask, resumeTask } from '../../src/services/hold-task-instance';
import { setDagPaused } from '../../src/services/set-dag-paused';
import { taskInstanceFailedDeps } from '../../src/services/task-instance-failed-deps';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { engineHarness, gateCommand, SENTINEL_DAG } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { runStates, waitForRun } from '../helpers/run-queries';
import { DATABASE_KINDS } from '../helpers/test-database';

jest.setTimeout(300_000);

function dags(home: string): Record<string, string> {
  return {
    // start waits for the test, so `b` can be held before it could ever be queued.
    'holding.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('holding', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const start = new BashOperator({ taskId: 'start', bashCommand: ${gateCommand(home, 'go_holding')}, dag });
const a = new BashOperator({ taskId: 'a', bashCommand: 'true', dag });
const b = new BashOperator({ taskId: 'b', bashCommand: 'true', dag });
const c = new BashOperator({ taskId: 'c', bashCommand: 'true', dag });
const afterB = new BashOperator({ taskId: 'after_b', bashCommand: 'true', dag });
start.then([a, b, c]);
b.then(afterB);
export default dag;
`,
    // A run every second; its first task waits for the test, its second runs after it.
    'drained.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('drained', {
  schedule: { every: '1s' },
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
});
const first = new BashOperator({ taskId: 'first', bashCommand: ${gateCommand(home, 'go_drained')}, dag });
const second = new BashOperator({ taskId: 'second', bashCommand: 'true', dag });
first.then(second);
export default dag;
`,
    'sentinel.ts': SENTINEL_DAG,
  };
}

/**
 * Issue 14 items 5 and 6 against a real scheduler (local executor): a held task instance stays
 * out of the queue while its siblings finish and runs once resumed; a draining pause lets the
 * running run finish (its tasks keep being queued) and creates no new run.
 */
describe.each(DATABASE_KINDS)('hold and draining pause with a running scheduler on %s', (kind) => {
  const engine = engineHarness({
    kind,
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '200ms' },
    dags: (home) => dags(home.home),
    gates: ['go_holding', 'go_drained'],
  });
  let ctx: AppContext;
  beforeAll(() => {
    ({ ctx } = engine);
  });

  const runIdsOf = async (dagId: string): Promise<string[]> => {
    const { records } = await execSql<{ run_id: string }>(
      ctx.dataSource,
      'SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY run_id',
      [dagId],
    );
    return records.map((r) => r.run_id);
  };

  it('keeps a held task out of the queue while its siblings finish, then runs it after resume', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'holding' });
    const key = { dagId: 'holding', runId: run.runId, taskId: 'b', mapIndex: -1 };
    // The task instances exist once the scheduler starts the run; `b` is not queued before start ends.
    const held = await eventually(() => holdTask(ctx, key, { reason: 'vendor data is late', actor: 'alice' }), {
      what: 'b to be holdable',
      timeoutMs: 60_000,
    });
    expect(held).toMatchObject({ held: true, heldBy: 'alice', holdReason: 'vendor data is late', changed: true });
    engine.openGate('go_holding');

    await eventually(
      async () =>
        expect(await runStates(ctx, 'holding', run.runId)).toMatchObject({
          start: { state: 'success' },
          a: { state: 'success' },
          c: { state: 'success' },
        }),
      { what: 'the siblings of b to finish', timeoutMs: 120_000, intervalMs: 100 },
    );
    // b was scheduled with a and c, which the scheduler then queued and ran to the end: it left b.
    expect(await runStates(ctx, 'holding', run.runId)).toMatchObject({
      b: { state: 'scheduled', tries: 0 },
      after_b: { state: null },
    });
    const { records } = await execSql<{ state: string }>(
      ctx.dataSource,
      'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?',
      ['holding', run.runId],
    );
    expect(records[0].state).toBe('running');
    expect((await taskInstanceFailedDeps(ctx, { dagId: 'holding', taskId: 'b', runId: run.runId })).failedDeps).toEqual(
      [
        {
          name: 'Task Instance Not Held',
          reason: "held by alice: vendor data is late (release it with 'dagctl tasks resume')",
        },
      ],
    );

    expect(await resumeTask(ctx, key, { actor: 'alice' })).toMatchObject({ held: false, changed: true });
    expect(await waitForRun(ctx, 'holding', run.runId)).toBe('success');
    expect(await runStates(ctx, 'holding', run.runId)).toMatchObject({
      b: { state: 'success', tries: 1 },
      after_b: { state: 'success' },
    });
  });

  it('refuses to hold a task instance that is already finished', async () => {
    const [runId] = await runIdsOf('holding');
    await expect(holdTask(ctx, { dagId: 'holding', runId, taskId: 'a', mapIndex: -1 })).rejects.toThrow(
      /'a' of run .* is success: only a task instance not queued yet .* can be held/,
    );
  });

  it('lets a draining DAG finish its running run and creates no new run until unpaused', async () => {
    // A scheduled run whose first task is running.
    const runId = await eventually(
      async () => {
        const { records } = await execSql<{ run_id: string }>(
          ctx.dataSource,
          `SELECT run_id FROM task_instance WHERE dag_id = 'drained' AND task_id = 'first' AND state = 'running'`,
        );
        return records[0]?.run_id ?? false;
      },
      { what: 'a drained run to be running', timeoutMs: 120_000, intervalMs: 100 },
    );
    expect(await setDagPaused(ctx, 'drained', true, 'test', { drain: true })).toMatchObject({
      isPaused: true,
      isDraining: true,
      changed: true,
    });
    const before = await runIdsOf('drained');
    await expect(triggerDagRun(ctx, { dagId: 'drained' })).rejects.toThrow(/'drained' is draining/);

    // The running run goes on: its second task is queued and run although the DAG is paused.
    engine.openGate('go_drained');
    expect(await waitForRun(ctx, 'drained', runId)).toBe('success');
    expect(await runStates(ctx, 'drained', runId)).toMatchObject({ second: { state: 'success' } });
    const finishedAt = ctx.clock.now().getTime();

    // A run is due every second: once a sentinel run triggered well after the next one was due
    // (beyond the scheduler's run-creation interval, at most 1 s) has been run, a loop that would
    // have created it has passed — and none was created.
    const { records } = await execSql<{ next_dagrun_create_after: string | Date }>(
      ctx.dataSource,
      `SELECT next_dagrun_create_after FROM dag WHERE dag_id = 'drained'`,
    );
    // Not before the run finished either: until then max_active_runs alone keeps a new one out.
    const due = Math.max(new Date(records[0].next_dagrun_create_after).getTime(), finishedAt);
    await eventually(
      async () => {
        const triggeredAt = ctx.clock.now().getTime();
        const sentinel = await triggerDagRun(ctx, { dagId: 'sentinel' });
        expect(await waitForRun(ctx, 'sentinel', sentinel.runId)).toBe('success');
        return triggeredAt > due + 2000;
      },
      { what: 'a sentinel run after the next drained run was due', timeoutMs: 60_000 },
    );
    expect(await runIdsOf('drained')).toEqual(before);

    // Unpausing lets runs be created again (the check above could have seen them).
    expect(await setDagPaused(ctx, 'drained', false, 'test')).toMatchObject({ isDraining: false, changed: true });
    await eventually(async () => (await runIdsOf('drained')).length > before.length, {
      what: 'a new drained run after unpause',
      timeoutMs: 60_000,
    });
  });
});
