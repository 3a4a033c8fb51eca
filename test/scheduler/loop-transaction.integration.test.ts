import { AppContext, closeAppContext } from '../../src/app/app-context';
import type { TaskInstanceKey } from '../../src/core/task-instance-key';
import { execSql } from '../../src/db/sql';
import type { Executor, ExecutorEvent, TaskWorkload } from '../../src/core/executor';
import { applyEventsAlone } from '../../src/scheduler/apply-events-alone';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import { SchedulerLoop } from '../../src/scheduler/scheduler-loop';
import { resolveSchedulerOptions } from '../../src/scheduler/scheduler-options';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';

/** An executor the test drives by hand: it keeps what it was given and reports what it is told. */
class ScriptedExecutor implements Executor {
  readonly name = 'scripted';
  readonly received: TaskWorkload[] = [];
  private events: ExecutorEvent[] = [];
  async start(): Promise<void> {}
  queueWorkload(workload: TaskWorkload): void {
    this.received.push(workload);
  }
  slotsAvailable(): number {
    return 8;
  }
  drainEvents(): ExecutorEvent[] {
    return this.events.splice(0);
  }
  onEvent(): void {}
  runningKeys(): Array<{ key: TaskInstanceKey; tryNumber: number }> {
    return [];
  }
  async end(): Promise<void> {}
  async terminate(): Promise<void> {}
  report(...events: ExecutorEvent[]): void {
    this.events.push(...events);
  }
}

describe.each(DATABASE_KINDS)('one transaction per scheduler loop (%s)', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url });
    ctx = await openTestContext(home);
    await seedDag(ctx.dataSource, makeDag('solo', [makeTask('only')]));
  });
  afterEach(async () => {
    await closeAppContext(ctx);
    await db.drop();
    home.remove();
  });

  const taskState = async (runId: string) =>
    (
      await execSql<{ state: string; try_number: number }>(
        ctx.dataSource,
        `SELECT state, try_number FROM task_instance WHERE dag_id = 'solo' AND run_id = ?`,
        [runId],
      )
    ).records[0];

  /** A loop that queued the one task, whose try then started and succeeded (reported, not applied). */
  const queuedAndReported = async () => {
    const executor = new ScriptedExecutor();
    const loop = new SchedulerLoop(ctx, executor, resolveSchedulerOptions(ctx.config), null);
    const run = await triggerDagRun(ctx, { dagId: 'solo' });
    await loop.tick();
    expect(executor.received.map((w) => w.key.taskId)).toEqual(['only']);
    expect(await taskState(run.runId)).toEqual({ state: 'queued', try_number: 1 });
    const key = executor.received[0].key;
    const at = new Date().toISOString();
    executor.report(
      { type: 'started', key, tryNumber: 1, at, hostname: 'here', pid: 1 },
      { type: 'finished', key, tryNumber: 1, at, outcome: { state: 'success' } },
    );
    return { executor, loop, run };
  };

  it('applies the events of a loop whose transaction failed in the next loop, and finishes the run', async () => {
    const { executor, loop, run } = await queuedAndReported();
    // A real failure inside the loop's transaction: the pools it reads first are gone for a moment.
    await execSql(ctx.dataSource, 'ALTER TABLE slot_pool RENAME TO slot_pool_away');
    await expect(loop.tick()).rejects.toThrow();
    expect(await taskState(run.runId)).toEqual({ state: 'queued', try_number: 1 });

    await execSql(ctx.dataSource, 'ALTER TABLE slot_pool_away RENAME TO slot_pool');
    await loop.tick();
    expect(await taskState(run.runId)).toEqual({ state: 'success', try_number: 1 });
    const { records: runs } = await execSql<{ state: string }>(
      ctx.dataSource,
      'SELECT state FROM dag_run WHERE run_id = ?',
      [run.runId],
    );
    expect(runs[0].state).toBe('success');
    const { records: history } = await execSql<{ state: string; hostname: string }>(
      ctx.dataSource,
      'SELECT state, hostname FROM task_instance_history WHERE run_id = ?',
      [run.runId],
    );
    expect(history).toEqual([{ state: 'success', hostname: 'here' }]);
    expect(executor.received).toHaveLength(1);
  });

  it('applies events on their own while loops keep failing, and decides the run once loops work again', async () => {
    const { executor, loop, run } = await queuedAndReported();
    await execSql(ctx.dataSource, 'ALTER TABLE slot_pool RENAME TO slot_pool_away');
    await expect(loop.tick()).rejects.toThrow();
    await expect(loop.tick()).rejects.toThrow();
    expect(await taskState(run.runId)).toEqual({ state: 'queued', try_number: 1 });
    // The third failure in a row: the outcome is saved without the loop's decisions and queueing.
    await expect(loop.tick()).rejects.toThrow();
    expect(await taskState(run.runId)).toEqual({ state: 'success', try_number: 1 });

    await execSql(ctx.dataSource, 'ALTER TABLE slot_pool_away RENAME TO slot_pool');
    await loop.tick();
    const { records: runs } = await execSql<{ state: string }>(
      ctx.dataSource,
      'SELECT state FROM dag_run WHERE run_id = ?',
      [run.runId],
    );
    expect(runs[0].state).toBe('success');
    expect(executor.received).toHaveLength(1);
  });

  it('keeps every event while the database does not answer at all', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'solo' });
    const key = { dagId: 'solo', runId: run.runId, taskId: 'only', mapIndex: -1 };
    const events: ExecutorEvent[] = [
      { type: 'finished', key, tryNumber: 1, at: new Date().toISOString(), outcome: { state: 'success' } },
    ];
    const gone = await openTestContext(home);
    await gone.dataSource.destroy();
    expect(await applyEventsAlone(gone.dataSource, new DagViewCache(gone.dataSource), events)).toEqual(events);
  });

  it("keeps a fan-out run going while a leaf is out; the last leaf's event finishes it, no full pass", async () => {
    await seedDag(ctx.dataSource, makeDag('fan', [makeTask('a'), makeTask('b')]));
    const executor = new ScriptedExecutor();
    // Only the first loop is a full pass: the later ones act on events alone.
    const loop = new SchedulerLoop(
      ctx,
      executor,
      { ...resolveSchedulerOptions(ctx.config), idleSleepMs: 600_000 },
      null,
    );
    const run = await triggerDagRun(ctx, { dagId: 'fan' });
    await loop.tick();
    const sent = new Map(executor.received.map((w) => [w.key.taskId, w]));
    expect([...sent.keys()].sort()).toEqual(['a', 'b']);
    const finished = (taskId: string): ExecutorEvent => ({
      type: 'finished',
      key: sent.get(taskId)!.key,
      tryNumber: 1,
      at: new Date().toISOString(),
      outcome: { state: 'success' },
    });
    const runState = async () =>
      (await execSql<{ state: string }>(ctx.dataSource, `SELECT state FROM dag_run WHERE run_id = ?`, [run.runId]))
        .records[0].state;

    executor.report(finished('a'));
    await loop.tick();
    expect(await runState()).toBe('running');

    executor.report(finished('b'));
    await loop.tick();
    expect(await runState()).toBe('success');
  });
});
