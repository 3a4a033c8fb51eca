import { AppContext, closeAppContext } from '../../src/app/app-context';
import { FakeClock } from '../../src/core/clock';
import type { Executor, ExecutorEvent, TaskWorkload } from '../../src/core/executor';
import type { TaskInstanceKey } from '../../src/core/task-instance-key';
import { execSql } from '../../src/db/sql';
import { SchedulerLoop } from '../../src/scheduler/scheduler-loop';
import { resolveSchedulerOptions } from '../../src/scheduler/scheduler-options';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';

/** An executor that takes workloads and never reports: these tests look at run creation only. */
class SilentExecutor implements Executor {
  readonly name = 'silent';
  async start(): Promise<void> {}
  queueWorkload(_workload: TaskWorkload): void {}
  slotsAvailable(): number {
    return 8;
  }
  drainEvents(): ExecutorEvent[] {
    return [];
  }
  onEvent(): void {}
  runningKeys(): Array<{ key: TaskInstanceKey; tryNumber: number }> {
    return [];
  }
  async end(): Promise<void> {}
  async terminate(): Promise<void> {}
}

// The loop creates scheduled runs only when its combined check (whichExist) says a DAG is due:
// these pin that a due DAG still gets its run from the loop, on time, and a paused one none.
describe.each(DATABASE_KINDS)('scheduled runs created by the scheduler loop (%s)', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  const clock = new FakeClock('2026-03-02T11:59:00.000Z');
  const daily = { kind: 'cron' as const, expression: '0 12 * * *', timezone: 'UTC' };

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url });
    ctx = { ...(await openTestContext(home)), clock };
    clock.set('2026-03-02T11:59:00.000Z');
    const startDate = '2026-03-01T00:00:00.000Z';
    await seedDag(ctx.dataSource, makeDag('due', [makeTask('t')], { schedule: daily, startDate }));
    await seedDag(ctx.dataSource, makeDag('paused', [makeTask('t')], { schedule: daily, startDate }), {
      paused: true,
    });
  });
  afterEach(async () => {
    await closeAppContext(ctx);
    await db.drop();
    home.remove();
  });

  const runIds = async () =>
    (
      await execSql<{ dag_id: string; run_id: string }>(
        ctx.dataSource,
        'SELECT dag_id, run_id FROM dag_run ORDER BY dag_id, run_id',
      )
    ).records.map((r) => `${r.dag_id}/${r.run_id}`);

  it('creates the run of a DAG once its interval ended, not before, and none for a paused DAG', async () => {
    const loop = new SchedulerLoop(ctx, new SilentExecutor(), resolveSchedulerOptions(ctx.config), null);
    loop.dagsChanged(['due', 'paused']);
    await loop.tick();
    expect(await runIds()).toEqual([]);
    clock.set('2026-03-02T12:00:00.000Z');
    await loop.tick();
    expect(await runIds()).toEqual(['due/scheduled__2026-03-01T12:00:00.000Z']);
    clock.advance('1s');
    await loop.tick();
    expect(await runIds()).toEqual(['due/scheduled__2026-03-01T12:00:00.000Z']);
  });
});
