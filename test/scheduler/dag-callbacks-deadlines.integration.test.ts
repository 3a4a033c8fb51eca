import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../src/app/app-context';
import { DagRunType } from '../../src/core/states';
import { execSql } from '../../src/db/sql';
import { runInTransaction } from '../../src/db/transaction';
import { createDagRun } from '../../src/db/transitions/dag-run-transitions';
import { createDbMetricsRegistry } from '../../src/metrics/db-metrics';
import { getSerializedDag } from '../../src/db/reads/serialized-dag-store';
import { loadGridData } from '../../src/web/ui/data/grid-data';
import { CallbackRunner } from '../../src/scheduler/callback-runner';
import { checkDeadlines } from '../../src/scheduler/check-deadlines';
import { requestCallback } from '../../src/db/transitions/callback-transitions';
import { listDagRuns } from '../../src/services/list-dag-runs';
import { setDagPaused } from '../../src/services/set-dag-paused';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { dagRunJson as cliRunJson } from '../../src/cli/json-shapes';
import { DAG_RUN_COLUMNS, dagRunJson as apiRunJson } from '../../src/api/serializers/dag-run-json';
import type { TestHome } from '../helpers/dagctl-home';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { JumpingClock } from '../helpers/jumping-clock';
import { waitForRun } from '../helpers/run-queries';

const HOUR = 3_600_000;

/** Each callback appends one JSON line to `effects` (an absolute path): what it was called with. */
function callbackDags(effects: string): Record<string, string> {
  const record = (name: string): string =>
    `(ctx) => { require('node:fs').appendFileSync(${JSON.stringify(effects)}, JSON.stringify({ ` +
    `cb: '${name}', dagId: ctx.dagId, runId: ctx.runId, reason: ctx.reason, state: ctx.dagRun.state, ` +
    `endDate: ctx.dagRun.endDate, deadline: ctx.deadline ?? null, pid: process.pid }) + '\\n'); }`;
  return {
    'good.ts': `
import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('good', {
  schedule: null, startDate: '2026-01-01T00:00:00Z',
  onSuccessCallback: ${record('success')},
  onFailureCallback: ${record('failure')},
});
new EmptyOperator({ taskId: 'ok', dag });
export default dag;
`,
    'bad.ts': `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('bad', {
  schedule: null, startDate: '2026-01-01T00:00:00Z',
  onSuccessCallback: ${record('success')},
  onFailureCallback: ${record('failure')},
});
new FunctionOperator({ taskId: 'boom', fn: () => { throw new Error('task boom'); }, dag });
export default dag;
`,
    'throwing.ts': `
import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('throwing', {
  schedule: null, startDate: '2026-01-01T00:00:00Z',
  onSuccessCallback: (ctx) => { ctx.log.info('about to throw'); throw new Error('callback exploded'); },
});
new EmptyOperator({ taskId: 'ok', dag });
export default dag;
`,
    'with_deadline.ts': `
import { DAG, EmptyOperator, DeadlineReference } from 'dagctl';
const dag = new DAG('with_deadline', {
  schedule: null, startDate: '2026-01-01T00:00:00Z',
  deadline: { reference: DeadlineReference.DAGRUN_QUEUED_AT, interval: '1h', callback: ${record('deadline')} },
});
new EmptyOperator({ taskId: 'ok', dag });
export default dag;
`,
    'exec_cb.ts': `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('exec_cb', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({
  taskId: 't',
  onExecuteCallback: ${record('execute').replace('ctx.dagRun.state', "'n/a'").replace('ctx.dagRun.endDate', 'null')},
  fn: () => {
    const line = JSON.stringify({ cb: 'fn', pid: process.pid }) + '\\n';
    require('node:fs').appendFileSync(${JSON.stringify(effects)}, line);
  },
  dag,
});
export default dag;
`,
  };
}

/**
 * DAG-level callbacks, deadline alerts and late runs with a real in-process scheduler (local
 * executor, SQLite) on a clock the test moves. Callbacks run in callback child processes forked
 * from dist/ (run `npm run build` first).
 */
describe('DAG callbacks, deadlines and late runs', () => {
  jest.setTimeout(240_000);
  const clock = new JumpingClock();
  const effectsFile = (home: TestHome): string => path.join(home.home, 'effects.jsonl');
  const engine = engineHarness({
    kind: 'sqlite',
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    dags: (home) => callbackDags(effectsFile(home)),
    clock,
  });
  const { startScheduler, stopScheduler } = engine;
  let ctx: AppContext;
  let effects: string;
  beforeAll(() => {
    ctx = engine.ctx;
    effects = effectsFile(engine.home);
  });

  const calls = (): Array<Record<string, unknown>> =>
    fs.existsSync(effects)
      ? fs
          .readFileSync(effects, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  const requests = async (dagId: string) =>
    (
      await execSql<{ kind: string; state: string; error: string | null; run_id: string }>(
        ctx.dataSource,
        'SELECT kind, state, error, run_id FROM callback_request WHERE dag_id = ? ORDER BY id',
        [dagId],
      )
    ).records;
  const requestsDone = (dagId: string, n: number) =>
    eventually(
      async () => {
        const rows = await requests(dagId);
        if (rows.length !== n || rows.some((r) => r.state === 'pending' || r.state === 'running'))
          throw new Error(`requests of ${dagId}: ${JSON.stringify(rows)}`);
        return rows;
      },
      { what: `${n} finished callback requests of ${dagId}`, timeoutMs: 60_000, intervalMs: 200 },
    );

  it('calls onSuccess/onFailureCallback once each, outside the scheduler, with the final context', async () => {
    const ok = await triggerDagRun(ctx, { dagId: 'good' });
    const ko = await triggerDagRun(ctx, { dagId: 'bad' });
    expect(await waitForRun(ctx, 'good', ok.runId)).toBe('success');
    expect(await waitForRun(ctx, 'bad', ko.runId)).toBe('failed');
    expect((await requestsDone('good', 1))[0]).toMatchObject({ kind: 'dag_success', state: 'success' });
    expect((await requestsDone('bad', 1))[0]).toMatchObject({ kind: 'dag_failure', state: 'success' });
    const made = calls().filter((c) => c.dagId === 'good' || c.dagId === 'bad');
    expect(made).toHaveLength(2);
    expect(made.find((c) => c.dagId === 'good')).toMatchObject({
      cb: 'success',
      runId: ok.runId,
      reason: 'success',
      state: 'success',
    });
    expect(made.find((c) => c.dagId === 'bad')).toMatchObject({ cb: 'failure', runId: ko.runId, state: 'failed' });
    for (const call of made) {
      expect(call.endDate).toEqual(expect.any(String));
      expect(call.pid).not.toBe(process.pid);
    }
  });

  it('logs a callback that throws (callback log file and request row) and changes no state', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'throwing' });
    expect(await waitForRun(ctx, 'throwing', run.runId)).toBe('success');
    const [request] = await requestsDone('throwing', 1);
    expect(request).toMatchObject({ kind: 'dag_success', state: 'failed' });
    expect(request.error).toContain('callback exploded');
    const logFile = path.join(
      ctx.config.logging.base_log_folder,
      'callbacks',
      'dag_id=throwing',
      `run_id=${run.runId}`,
      'dag_success.log',
    );
    const text = fs.readFileSync(logFile, 'utf8');
    expect(text).toContain('about to throw');
    expect(text).toContain('callback exploded');
    const { records } = await execSql<{ state: string }>(
      ctx.dataSource,
      "SELECT state FROM dag_run WHERE dag_id = 'throwing'",
    );
    expect(records).toEqual([{ state: 'success' }]);
  });

  it('runs onExecuteCallback in the task process just before execute', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'exec_cb' });
    expect(await waitForRun(ctx, 'exec_cb', run.runId)).toBe('success');
    const lines = calls().filter((c) => c.cb === 'execute' || c.cb === 'fn');
    expect(lines.map((c) => c.cb)).toEqual(['execute', 'fn']);
    expect(lines[0].pid).toBe(lines[1].pid);
    expect(lines[0].pid).not.toBe(process.pid);
  });

  it('misses a deadline once, calls its callback once across restarts; a run in time is not missed', async () => {
    // In time: finishes long before its deadline (queued + 1 h).
    const inTime = await triggerDagRun(ctx, { dagId: 'with_deadline' });
    expect(await waitForRun(ctx, 'with_deadline', inTime.runId)).toBe('success');
    // Late: the DAG is paused, so the run stays queued past its deadline.
    await setDagPaused(ctx, 'with_deadline', true);
    const missed = await triggerDagRun(ctx, { dagId: 'with_deadline' });

    await stopScheduler();
    clock.jump(2 * HOUR);
    startScheduler();
    await requestsDone('with_deadline', 1);
    // Restart again: the miss and its callback are not repeated.
    await stopScheduler();
    startScheduler();
    await setDagPaused(ctx, 'with_deadline', false);
    expect(await waitForRun(ctx, 'with_deadline', missed.runId)).toBe('success');

    const rows = await requestsDone('with_deadline', 1);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'deadline_missed', state: 'success', run_id: missed.runId }),
    ]);
    const deadlineCalls = calls().filter((c) => c.cb === 'deadline');
    expect(deadlineCalls).toEqual([
      expect.objectContaining({ runId: missed.runId, reason: 'deadline_missed', deadline: expect.any(String) }),
    ]);

    const { runs, deadlines } = await listDagRuns(ctx, { dagId: 'with_deadline', order: 'asc' });
    const cli = runs.map((r) => cliRunJson(r, [], deadlines.get(r.runId) ?? null));
    expect(cli.map((r) => [r.run_id, r.deadline_missed])).toEqual([
      [inTime.runId, false],
      [missed.runId, true],
    ]);
    const { records } = await execSql<Record<string, unknown>>(
      ctx.dataSource,
      `SELECT ${DAG_RUN_COLUMNS} FROM dag_run r WHERE r.dag_id = ? AND r.run_id = ?`,
      ['with_deadline', missed.runId],
    );
    expect(apiRunJson(records[0])).toMatchObject({ deadline_missed: true, deadline_missed_at: expect.any(String) });
    const metrics = await createDbMetricsRegistry(ctx).metrics();
    expect(metrics).toContain('dagctl_deadline_missed_total{dag_id="with_deadline"} 1');
    const grid = await loadGridData(ctx.dataSource, (await getSerializedDag(ctx.dataSource, 'with_deadline'))!.dag);
    expect(grid.runs.map((r) => [r.runId, r.deadlineMissed])).toEqual([
      [inTime.runId, false],
      [missed.runId, true],
    ]);
  });

  it('flags a scheduled run that starts past scheduler.late_threshold with late_seconds, and runs it', async () => {
    const now = clock.now().getTime();
    const dagHash = null;
    const scheduled = (runId: string, start: number, end: number) =>
      runInTransaction(ctx.dataSource, (m) =>
        createDagRun(
          m,
          {
            dagId: 'good',
            runId,
            logicalDate: new Date(start),
            dataIntervalStart: new Date(start),
            dataIntervalEnd: new Date(end),
            runType: DagRunType.SCHEDULED,
            externalTrigger: false,
            conf: null,
            dagHash,
          },
          clock.now(),
        ),
      );
    // The scheduler creates scheduled runs at their interval's end; these stand for runs it
    // created and could not start in time (late) or at once (on time).
    expect(await scheduled('scheduled__late', now - 3 * HOUR, now - 2 * HOUR)).toBe(true);
    expect(await scheduled('scheduled__on_time', now - HOUR, now + HOUR)).toBe(true);
    const late = { runId: 'scheduled__late' };
    const onTime = { runId: 'scheduled__on_time' };
    expect(await waitForRun(ctx, 'good', late.runId)).toBe('success');
    expect(await waitForRun(ctx, 'good', onTime.runId)).toBe('success');
    const { runs } = await listDagRuns(ctx, { dagId: 'good' });
    const byId = new Map(runs.map((r) => [r.runId, cliRunJson(r, [])]));
    expect(byId.get(late.runId)!.late_seconds).toBeGreaterThanOrEqual(2 * 3600);
    expect(byId.get(onTime.runId)!.late_seconds).toBeNull();
    const metrics = await createDbMetricsRegistry(ctx).metrics();
    expect(metrics).toContain('dagctl_late_dag_runs_total{dag_id="good"} 1');
    const grid = await loadGridData(ctx.dataSource, (await getSerializedDag(ctx.dataSource, 'good'))!.dag);
    expect(grid.runs.find((r) => r.runId === late.runId)?.lateSeconds).toBeGreaterThanOrEqual(2 * 3600);
    expect(grid.runs.find((r) => r.runId === onTime.runId)?.lateSeconds).toBeNull();
  });

  it('lets exactly one of several racing schedulers record a miss and run a callback request', async () => {
    await stopScheduler();
    try {
      const run = await triggerDagRun(ctx, { dagId: 'with_deadline' });
      // Paused: the run stays queued, so its deadline can pass.
      await setDagPaused(ctx, 'with_deadline', true);
      await execSql(
        ctx.dataSource,
        "UPDATE dag_run SET state = 'queued' WHERE dag_id = 'with_deadline' AND run_id = ?",
        [run.runId],
      );
      const later = new Date(clock.now().getTime() + 2 * HOUR);
      const misses = await Promise.all([1, 2, 3].map(() => checkDeadlines(ctx.dataSource, later, 50)));
      expect(misses.reduce((a, b) => a + b, 0)).toBe(1);

      await runInTransaction(ctx.dataSource, (m) =>
        requestCallback(m, { dagId: 'good', runId: 'scheduled__late', kind: 'dag_success', context: {} }, later),
      );
      const runners = ['a', 'b', 'c'].map(
        (name) =>
          new CallbackRunner(ctx.dataSource, { baseLogFolder: ctx.config.logging.base_log_folder, claimant: name }),
      );
      const before = calls().filter((c) => c.cb === 'success' && c.runId === 'scheduled__late').length;
      const pending = async (): Promise<number> =>
        Number(
          (
            await execSql<{ n: number | string }>(
              ctx.dataSource,
              "SELECT COUNT(*) AS n FROM callback_request WHERE state IN ('pending', 'running')",
            )
          ).records[0].n,
        );
      // The deadline's callback, this one, and any the stopped scheduler had not dispatched yet.
      const waiting = await pending();
      expect(waiting).toBeGreaterThanOrEqual(2);
      const started = await Promise.all(runners.map((r) => r.dispatch(later)));
      await Promise.all(runners.map((r) => r.idle()));
      expect(started.reduce((a, b) => a + b, 0)).toBe(waiting);
      // Each request ran exactly once: one call per request of that run.
      const { records: lateRequests } = await execSql<{ n: number | string }>(
        ctx.dataSource,
        "SELECT COUNT(*) AS n FROM callback_request WHERE dag_id = 'good' AND run_id = 'scheduled__late'",
      );
      expect(calls().filter((c) => c.cb === 'success' && c.runId === 'scheduled__late')).toHaveLength(
        Number(lateRequests[0].n),
      );
      expect(Number(lateRequests[0].n)).toBeGreaterThan(before);
      expect(await pending()).toBe(0);
      const { records } = await execSql<{ claimed_by: string; n: number | string }>(
        ctx.dataSource,
        "SELECT claimed_by, COUNT(*) AS n FROM callback_request WHERE kind = 'deadline_missed' GROUP BY claimed_by",
      );
      expect(records.map((r) => Number(r.n)).reduce((a, b) => a + b, 0)).toBe(2);
    } finally {
      await setDagPaused(ctx, 'with_deadline', false);
      startScheduler();
    }
  });
});
