import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import type { TryClaimRequest } from '../../src/core/executor';
import { execSql } from '../../src/db/sql';
import { claimTryStarts } from '../../src/db/transitions/claim-try-start';
import { startJob } from '../../src/db/transitions/job-transitions';
import { LocalExecutor } from '../../src/executors/local-executor';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { SchedulerLoop } from '../../src/scheduler/scheduler-loop';
import { resolveSchedulerOptions } from '../../src/scheduler/scheduler-options';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';
import { GATED_DAG, PAIR_DAG, SOLO_DAG } from '../helpers/claim-test-dags';
import { processMetricsRegistry } from '../../src/metrics/process-metrics';

jest.setTimeout(120_000);

/** A trigger that fails every move of a task instance to running: the claim's UPDATE fails. */
const NO_START = {
  sqlite: {
    add: [
      `CREATE TRIGGER no_start BEFORE UPDATE OF state ON task_instance WHEN NEW.state = 'running'
       BEGIN SELECT RAISE(ABORT, 'no start'); END`,
    ],
    drop: ['DROP TRIGGER no_start'],
  },
  postgres: {
    add: [
      `CREATE FUNCTION no_start() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no start'; END $$ LANGUAGE plpgsql`,
      `CREATE TRIGGER no_start BEFORE UPDATE ON task_instance FOR EACH ROW WHEN (NEW.state = 'running')
       EXECUTE FUNCTION no_start()`,
    ],
    drop: ['DROP TRIGGER no_start ON task_instance', 'DROP FUNCTION no_start()'],
  },
};

/**
 * A try the local executor can start at once is claimed (queued → running, with the pid of the
 * idle task process set aside for it) in the scheduler loop's own transaction, and goes to that
 * process after the commit without a claim of its own; the rest are claimed as before.
 */
describe.each(DATABASE_KINDS)('claims in the transaction that queues (%s)', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let executor: LocalExecutor;
  let loop: SchedulerLoop;
  /** The claims the executor asked for (tries not claimed by the loop). */
  let asked: TryClaimRequest[];

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url });
    home.writeDag('solo.ts', SOLO_DAG);
    home.writeDag('gated.ts', GATED_DAG);
    home.writeDag('pair.ts', PAIR_DAG);
    ctx = await openTestContext(home);
    await ensureDagsParsed(ctx);
    const jobId = await startJob(ctx.dataSource, 'SchedulerJob', 'LocalExecutor', new Date());
    executor = LocalExecutor.fromConfig(ctx.config, { mode: 'warm' });
    asked = [];
    executor.claimTriesWith(async (request) => {
      asked.push(request);
      const start = { at: new Date(request.at), hostname: request.hostname, pid: request.pid, queuedByJobId: jobId };
      const [won] = await claimTryStarts(ctx.dataSource, [{ key: request.key, tryNumber: request.tryNumber, start }]);
      return won;
    });
    loop = new SchedulerLoop(ctx, executor, resolveSchedulerOptions(ctx.config), jobId);
  });
  afterEach(async () => {
    await executor.end(10_000);
    await closeAppContext(ctx);
    await db.drop();
    home.remove();
  });

  const tryOf = async (runId: string) =>
    (
      await execSql<{ state: string; try_number: number; pid: number | null }>(
        ctx.dataSource,
        `SELECT state, try_number, pid FROM task_instance WHERE dag_id = 'solo' AND run_id = ?`,
        [runId],
      )
    ).records.map((r) => ({
      state: r.state,
      try_number: Number(r.try_number),
      pid: r.pid === null ? null : Number(r.pid),
    }))[0];

  const finish = (runId: string) =>
    eventually(
      async () => {
        await loop.tick();
        return (await tryOf(runId)).state === 'success';
      },
      { what: `run ${runId} to finish` },
    );

  /** Waits until the executor's one warm process is ready (setting it aside once, then giving it back). */
  const readyProcess = async (): Promise<number> => {
    const [reservation] = await eventually(
      () => {
        const reserved = executor.reserveStarts(1);
        return reserved.length === 1 && reserved;
      },
      { what: 'a ready task process' },
    );
    reservation.release();
    return reservation.pid;
  };

  it('claims the try with the ready process in the loop transaction, and runs it there once', async () => {
    await executor.start();
    const pid = await readyProcess();
    const run = await triggerDagRun(ctx, { dagId: 'solo' });
    await loop.tick();
    // Committed by the loop itself: running in that process before any claim of its own.
    expect(await tryOf(run.runId)).toEqual({ state: 'running', try_number: 1, pid });
    await finish(run.runId);
    expect(await tryOf(run.runId)).toEqual({ state: 'success', try_number: 1, pid });
    expect(asked).toEqual([]);
  });

  it('leaves a try to its own claim when no process is ready', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'solo' });
    await loop.tick();
    // No process was started yet: the try waits for one, queued, and its claim follows.
    expect(await tryOf(run.runId)).toMatchObject({ state: 'queued', try_number: 1 });
    await finish(run.runId);
    expect(asked.map((request) => request.key.runId)).toEqual([run.runId]);
    expect(await tryOf(run.runId)).toEqual({ state: 'success', try_number: 1, pid: asked[0].pid });
  });

  it('sets no process aside for a task instance whose earlier try the executor still runs', async () => {
    await executor.start();
    await readyProcess();
    const gate = path.join(home.home, 'gate');
    const run = await triggerDagRun(ctx, { dagId: 'gated', conf: { gate } });
    const slow = async () =>
      (
        await execSql<{ state: string; try_number: number }>(
          ctx.dataSource,
          `SELECT state, try_number FROM task_instance WHERE dag_id = 'gated' AND run_id = ?`,
          [run.runId],
        )
      ).records.map((r) => ({ state: r.state, try_number: Number(r.try_number) }))[0];
    await loop.tick();
    expect(await slow()).toEqual({ state: 'running', try_number: 1 });
    // Cleared while try 1 still runs (as a mark-and-clear would leave it), and a process is ready.
    await execSql(ctx.dataSource, `UPDATE task_instance SET state = 'scheduled' WHERE dag_id = 'gated'`);
    await executor.start();
    await readyProcess();
    await loop.tick();
    // Try 2 waits, queued, for try 1 to leave the executor: not claimed onto a process it cannot use.
    expect(await slow()).toEqual({ state: 'queued', try_number: 2 });
    fs.writeFileSync(gate, '');
  });

  it('gives the process back when the loop transaction fails after setting it aside', async () => {
    await executor.start();
    const pid = await readyProcess();
    const run = await triggerDagRun(ctx, { dagId: 'solo' });
    for (const sql of NO_START[kind].add) await execSql(ctx.dataSource, sql);
    await expect(loop.tick()).rejects.toThrow(/no start/);
    // The whole loop rolled back (not even scheduled), and the one process is free again.
    expect(await tryOf(run.runId)).toMatchObject({ state: null, try_number: 0 });
    expect(await readyProcess()).toBe(pid);

    for (const sql of NO_START[kind].drop) await execSql(ctx.dataSource, sql);
    await loop.tick();
    expect(await tryOf(run.runId)).toEqual({ state: 'running', try_number: 1, pid });
    await finish(run.runId);
    expect(asked).toEqual([]);
  });

  /** How many tries of pair.first the airflow_task_duration summary counted (this process's registry). */
  const firstDurationsCounted = async (): Promise<number> => {
    const metric = processMetricsRegistry.getSingleMetric('airflow_task_duration');
    const values: Array<{ value: number; labels: Record<string, unknown>; metricName?: string }> = metric
      ? (await metric.get()).values
      : [];
    const count = values.find(
      (v) => String(v.metricName).endsWith('_count') && v.labels.dag_id === 'pair' && v.labels.task_id === 'first',
    );
    return count ? Number(count.value) : 0;
  };

  it("records a try's duration once its loop committed: not for a loop that rolled back", async () => {
    await executor.start();
    await readyProcess();
    const before = await firstDurationsCounted();
    let reported = false;
    executor.onEvent(() => {
      reported = true;
    });
    await triggerDagRun(ctx, { dagId: 'pair' });
    await loop.tick();
    await eventually(() => reported, { what: "pair.first's end reported" });
    // The loop that applies first's end also queues second and claims it on the ready process: that claim fails.
    await readyProcess();
    for (const sql of NO_START[kind].add) await execSql(ctx.dataSource, sql);
    await expect(loop.tick()).rejects.toThrow(/no start/);
    expect(await firstDurationsCounted()).toBe(before);

    for (const sql of NO_START[kind].drop) await execSql(ctx.dataSource, sql);
    await loop.tick();
    expect(await firstDurationsCounted()).toBe(before + 1);
  });
});
