import type { AppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import type { TestHome } from '../helpers/dagctl-home';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { JumpingClock } from '../helpers/jumping-clock';
import { CLEAN } from './harness/fault-cluster';
import { checkInvariants, FaultFigures, verdict } from './harness/invariants';
import { appendFaultResult } from './harness/results-file';
import { readEffects } from './harness/side-effects';
import { EFFECTS_FILE_NAME, plainTasks, workloadDag } from './harness/workload';

const HOUR = 3_600_000;

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
  // Two whole hours before now: the first pass has two intervals to run.
  const start = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR).toISOString();
  const engine = engineHarness({
    kind: 'sqlite',
    env: { DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    dags: {
      'hourly.ts': workloadDag('hourly', plainTasks(2)).replace(
        "schedule: null, startDate: '2026-01-01T00:00:00Z'",
        `schedule: '@hourly', catchup: true, startDate: '${start}'`,
      ),
    },
    clock,
    // The workload's tasks find their side-effect file through DAGCTL_HOME in their environment.
    beforeStart: ({ home }) => {
      process.env.DAGCTL_HOME = home.home;
    },
  });
  let ctx: AppContext;
  let home: TestHome;
  beforeAll(() => {
    ({ ctx, home } = engine);
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
