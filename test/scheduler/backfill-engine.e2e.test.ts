import type { AppContext } from '../../src/app/app-context';
import { StateConflictError } from '../../src/core/errors';
import { execSql } from '../../src/db/sql';
import {
  cancelBackfillByHand,
  createBackfill,
  requireBackfill,
  setBackfillPausedByHand,
} from '../../src/services/backfills';
import { setDagPaused } from '../../src/services/set-dag-paused';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { dagctl, startDagctl, stopProcess } from '../helpers/cli';
import type { TestHome } from '../helpers/dagctl-home';
import { engineHarness, gateCommand, SENTINEL_DAG } from '../helpers/engine-harness';
import { maxOverlap } from '../helpers/engine-suite/max-overlap';
import { eventually } from '../helpers/eventually';
import { runStates, waitForRun } from '../helpers/run-queries';
import { DATABASE_KINDS } from '../helpers/test-database';

jest.setTimeout(300_000);

const daily = (dagId: string, extra = ''): string =>
  `new DAG('${dagId}', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z', catchup: false${extra} })`;

function dags(home: string): Record<string, string> {
  return {
    // Each run waits for the test's gate: the test sees how many runs the backfill keeps active.
    'bf_five.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = ${daily('bf_five', ', maxActiveRuns: 16')};
new BashOperator({ taskId: 'work', bashCommand: ${gateCommand(home, 'go_five')}, dag });
export default dag;
`,
    // flaky fails the first time it runs for a date (a marker file per date), then succeeds.
    'bf_flaky.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = ${daily('bf_flaky')};
const ok = new BashOperator({ taskId: 'ok', bashCommand: 'true', dag });
const flaky = new BashOperator({
  taskId: 'flaky',
  bashCommand: ${JSON.stringify(`m='${home}/flaky_{{ ds }}'; if [ -f "$m" ]; then exit 0; fi; touch "$m"; exit 1`)},
  dag,
});
const after = new BashOperator({ taskId: 'after', bashCommand: 'true', dag });
ok.then(flaky).then(after);
export default dag;
`,
    'bf_gated.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = ${daily('bf_gated')};
new BashOperator({ taskId: 'work', bashCommand: ${gateCommand(home, 'go_gated')}, dag });
export default dag;
`,
    'bf_cancel.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = ${daily('bf_cancel')};
new BashOperator({ taskId: 'work', bashCommand: 'true', dag });
export default dag;
`,
    'sentinel.ts': SENTINEL_DAG,
  };
}

interface RunRow {
  id: number;
  run_id: string;
  logical_date: string;
  state: string;
  start_date: string | null;
  end_date: string | null;
}

/**
 * Issue 14 item 7 against a real scheduler (local executor) and the built CLI: the scheduler
 * creates a backfill's runs in order within its max_active_runs, whether or not the CLI that
 * recorded it is still there; --rerun-failed-tasks re-runs only failed tasks; pause and cancel.
 */
describe.each(DATABASE_KINDS)('backfills the scheduler runs on %s', (kind) => {
  const engine = engineHarness({
    kind,
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '200ms' },
    dags: (home) => dags(home.home),
    gates: ['go_five', 'go_gated'],
  });
  let ctx: AppContext;
  let home: TestHome;
  beforeAll(() => {
    ({ ctx, home } = engine);
  });

  const backfillRuns = async (dagId: string): Promise<RunRow[]> =>
    (
      await execSql<RunRow>(
        ctx.dataSource,
        `SELECT id, run_id, logical_date, state, start_date, end_date FROM dag_run
         WHERE dag_id = ? AND run_type = 'backfill' ORDER BY id`,
        [dagId],
      )
    ).records;

  /** A sentinel run finishing proves the scheduler looped many times since this call. */
  const schedulerLooped = async (): Promise<void> => {
    const run = await triggerDagRun(ctx, { dagId: 'sentinel' });
    expect(await waitForRun(ctx, 'sentinel', run.runId)).toBe('success');
  };

  it('dags backfill --dry-run lists the intervals and records nothing', () => {
    const result = dagctl(
      ['dags', 'backfill', 'bf_five', '-s', '2026-02-01', '-e', '2026-02-05', '--dry-run', '--reverse', '-o', 'json'],
      home.env,
    );
    expect(result.stderr).toBe('');
    const plan = JSON.parse(result.stdout) as { dry_run: boolean; intervals: Array<Record<string, unknown>> };
    expect(plan.dry_run).toBe(true);
    expect(plan.intervals.map((i) => [i.logical_date, i.action])).toEqual(
      ['05', '04', '03', '02', '01'].map((d) => [`2026-02-${d}T00:00:00.000Z`, 'create']),
    );
    expect(dagctl(['backfill', 'list', '-o', 'json'], home.env).stdout.trim()).toBe('[]');
  });

  it('creates the 5 runs in order within max_active_runs, and goes on after the CLI is killed', async () => {
    const cli = startDagctl(
      ['dags', 'backfill', 'bf_five', '-s', '2026-02-01', '-e', '2026-02-05', '--max-active-runs', '2', '--wait'],
      home.env,
    );
    try {
      // Two runs are created and started, and no third while they wait at the gate.
      await eventually(
        async () => expect((await backfillRuns('bf_five')).map((r) => r.state)).toEqual(['running', 'running']),
        { what: 'the first two backfill runs to run', timeoutMs: 60_000, intervalMs: 100 },
      );
      await eventually(() => expect(cli.output()).toMatch(/backfill 1: 0\/5 done/), {
        what: 'the CLI to show progress',
        timeoutMs: 30_000,
      });
      await schedulerLooped();
      expect(await backfillRuns('bf_five')).toHaveLength(2);
    } finally {
      await stopProcess(cli.child, 'SIGKILL');
    }
    engine.openGate('go_five');
    const backfill = await eventually(
      async () => {
        const b = await requireBackfill(ctx, 1);
        if (!b.completedAt) throw new Error(`backfill not completed: ${JSON.stringify(b.runs)}`);
        return b;
      },
      { what: 'the backfill to complete without its CLI', timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(backfill).toMatchObject({ total: 5, pending: 0, skipped: 0, runs: { success: 5 }, cancelled: false });
    const runs = await backfillRuns('bf_five');
    // Created oldest first (ids grow with the logical date), never more than 2 at once.
    expect(runs.map((r) => r.logical_date.slice(0, 10))).toEqual([
      '2026-02-01',
      '2026-02-02',
      '2026-02-03',
      '2026-02-04',
      '2026-02-05',
    ]);
    expect(runs.map((r) => r.run_id)).toEqual(runs.map((r) => `backfill__${new Date(r.logical_date).toISOString()}`));
    expect(maxOverlap(runs.map((r) => ({ start_date: r.start_date!, end_date: r.end_date! })))).toBeLessThanOrEqual(2);
  });

  it('--rerun-failed-tasks re-runs only the failed tasks of failed runs', async () => {
    const first = await createBackfill(ctx, {
      dagId: 'bf_flaky',
      fromDate: new Date('2026-03-01T00:00:00Z'),
      toDate: new Date('2026-03-02T00:00:00Z'),
    });
    await eventually(async () => expect((await requireBackfill(ctx, first.id)).completedAt).not.toBeNull(), {
      what: 'the first backfill to complete',
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    const runs = await backfillRuns('bf_flaky');
    expect(runs.map((r) => r.state)).toEqual(['failed', 'failed']);
    for (const run of runs)
      expect(await runStates(ctx, 'bf_flaky', run.run_id)).toEqual({
        ok: { state: 'success', tries: 1 },
        flaky: { state: 'failed', tries: 1 },
        after: { state: 'upstream_failed', tries: 0 },
      });

    // Without the flag the existing runs are left alone.
    const skipping = await createBackfill(ctx, {
      dagId: 'bf_flaky',
      fromDate: new Date('2026-03-01T00:00:00Z'),
      toDate: new Date('2026-03-02T00:00:00Z'),
    });
    await eventually(async () => expect((await requireBackfill(ctx, skipping.id)).completedAt).not.toBeNull(), {
      what: 'the skipping backfill to complete',
      timeoutMs: 60_000,
    });
    expect(await requireBackfill(ctx, skipping.id)).toMatchObject({ skipped: 2, runs: {} });

    const rerun = await createBackfill(ctx, {
      dagId: 'bf_flaky',
      fromDate: new Date('2026-03-01T00:00:00Z'),
      toDate: new Date('2026-03-02T00:00:00Z'),
      rerunFailedTasks: true,
    });
    await eventually(async () => expect((await requireBackfill(ctx, rerun.id)).completedAt).not.toBeNull(), {
      what: 'the rerun backfill to complete',
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    expect(await requireBackfill(ctx, rerun.id)).toMatchObject({ skipped: 0, runs: { success: 2 } });
    for (const run of runs)
      expect(await runStates(ctx, 'bf_flaky', run.run_id)).toEqual({
        ok: { state: 'success', tries: 1 },
        flaky: { state: 'success', tries: 2 },
        after: { state: 'success', tries: 1 },
      });
  });

  it('pause stops new runs until unpaused', async () => {
    const backfill = await createBackfill(ctx, {
      dagId: 'bf_gated',
      fromDate: new Date('2026-04-01T00:00:00Z'),
      toDate: new Date('2026-04-03T00:00:00Z'),
      maxActiveRuns: 1,
    });
    await eventually(async () => expect((await backfillRuns('bf_gated')).map((r) => r.state)).toEqual(['running']), {
      what: 'the first gated run to run',
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    expect(await setBackfillPausedByHand(ctx, backfill.id, true)).toMatchObject({ isPaused: true });
    engine.openGate('go_gated');
    await eventually(async () => expect((await backfillRuns('bf_gated')).map((r) => r.state)).toEqual(['success']), {
      what: 'the first gated run to finish',
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await schedulerLooped();
    expect(await backfillRuns('bf_gated')).toHaveLength(1);
    expect(await requireBackfill(ctx, backfill.id)).toMatchObject({ pending: 2, completedAt: null });

    await setBackfillPausedByHand(ctx, backfill.id, false);
    await eventually(async () => expect((await requireBackfill(ctx, backfill.id)).completedAt).not.toBeNull(), {
      what: 'the unpaused backfill to complete',
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    expect((await backfillRuns('bf_gated')).map((r) => r.state)).toEqual(['success', 'success', 'success']);
  });

  it('cancel creates no new run and fails the queued ones', async () => {
    // A paused DAG keeps the backfill's runs queued, so there are queued runs to cancel.
    await setDagPaused(ctx, 'bf_cancel', true);
    const backfill = await createBackfill(ctx, {
      dagId: 'bf_cancel',
      fromDate: new Date('2026-05-01T00:00:00Z'),
      toDate: new Date('2026-05-05T00:00:00Z'),
      maxActiveRuns: 2,
    });
    await eventually(
      async () => expect((await backfillRuns('bf_cancel')).map((r) => r.state)).toEqual(['queued', 'queued']),
      {
        what: 'two queued backfill runs',
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );
    const cancelled = await cancelBackfillByHand(ctx, backfill.id);
    expect(cancelled).toMatchObject({ cancelled: true, isPaused: true, pending: 3, runs: { failed: 2 } });
    expect(cancelled.completedAt).not.toBeNull();
    await setDagPaused(ctx, 'bf_cancel', false);
    await schedulerLooped();
    expect((await backfillRuns('bf_cancel')).map((r) => r.state)).toEqual(['failed', 'failed']);
    await expect(cancelBackfillByHand(ctx, backfill.id)).rejects.toThrow(/already cancelled/);
    await expect(setBackfillPausedByHand(ctx, backfill.id, false)).rejects.toThrow(/is cancelled/);
  });

  it('a draining DAG and overlapping dates refuse a new backfill', async () => {
    await setDagPaused(ctx, 'bf_cancel', true, undefined, { drain: true });
    await expect(
      createBackfill(ctx, { dagId: 'bf_cancel', fromDate: new Date('2026-06-01'), toDate: new Date('2026-06-02') }),
    ).rejects.toThrow(StateConflictError);
    await setDagPaused(ctx, 'bf_cancel', false);
    await setDagPaused(ctx, 'bf_cancel', true);
    await createBackfill(ctx, { dagId: 'bf_cancel', fromDate: new Date('2026-06-01'), toDate: new Date('2026-06-05') });
    await expect(
      createBackfill(ctx, { dagId: 'bf_cancel', fromDate: new Date('2026-06-04'), toDate: new Date('2026-06-09') }),
    ).rejects.toThrow(/already has a backfill in progress/);
  });
});
