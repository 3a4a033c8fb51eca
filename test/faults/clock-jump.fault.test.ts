import { AppContext, closeAppContext } from '../../src/app/app-context';
import type { Clock } from '../../src/core/clock';
import { execSql } from '../../src/db/sql';
import { runScheduler } from '../../src/scheduler/scheduler-job';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { waitForParsedDags } from '../helpers/run-queries';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { CLEAN } from './harness/fault-cluster';
import { checkInvariants, FaultFigures, verdict } from './harness/invariants';
import { appendFaultResult } from './harness/results-file';
import { readEffects } from './harness/side-effects';
import { EFFECTS_FILE_NAME, plainTasks, workloadDag } from './harness/workload';

const HOUR = 3_600_000;

/** The wall clock moved by an offset the test changes: a jump, as NTP or a VM resume makes one. */
class JumpingClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  jump(byMs: number): void {
    this.offsetMs += byMs;
  }
}

/**
 * The clock jumping forward several schedule intervals under a running scheduler (local executor,
 * SQLite). The CLI process reads the system clock, which a test cannot move without root; the
 * scheduler runs in-process here with the same `runScheduler` and a jumping Clock, and its tasks run
 * in real task processes. Every interval the jumps uncover gets exactly one run (catchup), and the
 * workload's invariants hold.
 */
describe('fault: the clock jumping forward', () => {
  jest.setTimeout(300_000);
  const clock = new JumpingClock();
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let abort: AbortController;
  let scheduler: Promise<void>;
  // Two whole hours before now: the first pass has two intervals to run.
  const start = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR).toISOString();

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({ databaseUrl: db.url, env: { DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' } });
    // The workload's tasks find their side-effect file through DAGCTL_HOME in their environment.
    process.env.DAGCTL_HOME = home.home;
    home.writeDag(
      'hourly.ts',
      workloadDag('hourly', plainTasks(2)).replace(
        "schedule: null, startDate: '2026-01-01T00:00:00Z'",
        `schedule: '@hourly', catchup: true, startDate: '${start}'`,
      ),
    );
    ctx = { ...(await openTestContext(home)), clock };
    abort = new AbortController();
    scheduler = runScheduler(ctx, { signal: abort.signal });
    await waitForParsedDags(ctx.dataSource, 1, 120_000);
  });

  afterAll(async () => {
    abort?.abort();
    await scheduler?.catch(() => undefined);
    if (ctx) await closeAppContext(ctx);
    await db?.drop();
    home?.remove();
  });

  const runs = async (): Promise<Array<{ logical_date: string; state: string }>> =>
    (
      await execSql<{ logical_date: string; state: string }>(
        ctx.dataSource,
        "SELECT logical_date, state FROM dag_run WHERE dag_id = 'hourly' ORDER BY logical_date",
      )
    ).records;

  const allFinal = (expected: number): Promise<unknown> =>
    eventually(
      async () => {
        const now = await runs();
        const open = now.filter((run) => run.state === 'queued' || run.state === 'running');
        if (now.length < expected || open.length > 0) throw new Error(`${now.length} runs, ${open.length} open`);
      },
      { what: `${expected} hourly runs to be final`, timeoutMs: 180_000, intervalMs: 250 },
    );

  it('gives every uncovered interval exactly one run, and the runs hold every invariant', async () => {
    await allFinal(2);
    // Forward 4 intervals while nothing runs, then 3 more while the caught-up runs are running.
    clock.jump(4 * HOUR);
    await eventually(async () => (await runs()).some((run) => run.state === 'running'), {
      what: 'a caught-up run to be running',
      timeoutMs: 60_000,
    });
    clock.jump(3 * HOUR);
    await allFinal(9);

    const final = await runs();
    const dates = final.map((run) => new Date(run.logical_date).getTime());
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates).toEqual(Array.from({ length: 9 }, (_, i) => new Date(start).getTime() + i * HOUR));
    const effects = readEffects(`${home.home}/${EFFECTS_FILE_NAME}`);
    const found = await checkInvariants(ctx.dataSource, effects, ['hourly']);
    const figures: FaultFigures = {
      scenario: 'the clock jumping forward several intervals (local, SQLite; scheduler in-process)',
      injected: 'the scheduler clock jumped 4 h with nothing running, then 3 h during the caught-up runs',
      workload: '@hourly DAG with catchup, 4 tasks (2 bash, 2 JS), 2 runs due at the start',
      ...found,
      result: verdict(found),
    };
    appendFaultResult(figures);
    expect(figures).toMatchObject({ ...CLEAN, integrity: 'ok' });
    // one start per (run, task): nothing ran twice, nothing was lost to a spurious timeout
    expect(effects.filter((e) => e.phase === 'start')).toHaveLength(9 * 4);
  });
});
