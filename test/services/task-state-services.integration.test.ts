import { FakeClock } from '../../src/core/clock';
import { InvalidArgumentError, NotFoundError } from '../../src/core/errors';
import { AuditLogEntity, DagRunEntity, TaskInstanceEntity } from '../../src/db/entities';
import { clearTaskInstances } from '../../src/services/clear-task-instances';
import { markDagRunState } from '../../src/services/mark-dag-run-state';
import { markTaskInstanceState } from '../../src/services/mark-task-instance-state';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';
import { makeSerializedDag, seedDag, seedRun, seedTi, tiStates } from './helpers/seed';

describe.each(DATABASE_KINDS)('task and run state services on %s', (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  let ctx: { dataSource: typeof db.dataSource; clock: FakeClock };

  beforeEach(async () => {
    ctx = { dataSource: db.dataSource, clock: new FakeClock('2026-02-01T00:00:00Z') };
    // extract > transform > load, and extract > audit
    await seedDag(
      db.dataSource,
      makeSerializedDag(
        'etl',
        ['extract', 'transform', 'load', 'audit'],
        ['extract>transform', 'transform>load', 'extract>audit'],
        2,
      ),
    );
    await seedRun(db.dataSource, 'etl', 'r1', '2026-01-01T00:00:00Z', 'failed');
    await seedRun(db.dataSource, 'etl', 'r2', '2026-01-02T00:00:00Z', 'success');
    await seedRun(db.dataSource, 'etl', 'r3', '2026-01-03T00:00:00Z', 'running');
    for (const run of ['r1', 'r2']) {
      await seedTi(db.dataSource, 'etl', run, 'extract', 'success');
      await seedTi(db.dataSource, 'etl', run, 'transform', run === 'r1' ? 'failed' : 'success', 3, 2);
      await seedTi(db.dataSource, 'etl', run, 'load', run === 'r1' ? 'upstream_failed' : 'success', 0);
      await seedTi(db.dataSource, 'etl', run, 'audit', 'success');
    }
    await seedTi(db.dataSource, 'etl', 'r3', 'extract', 'success');
    await seedTi(db.dataSource, 'etl', 'r3', 'transform', 'running', 1, 2);
    await seedTi(db.dataSource, 'etl', 'r3', 'load', null, 0);
    await seedTi(db.dataSource, 'etl', 'r3', 'audit', 'queued');
  });

  it('clear resets matching task instances and their downstream, keeps tries, requeues finished runs', async () => {
    const result = await clearTaskInstances(ctx, {
      dagId: 'etl',
      taskRegex: '^transform$',
      downstream: true,
      endDate: new Date('2026-01-02T00:00:00Z'),
      actor: 'tester',
    });
    expect(result.clearedCount).toBe(4);
    expect(result.cleared.map((ti) => `${ti.runId}.${ti.taskId}`).sort()).toEqual([
      'r1.load',
      'r1.transform',
      'r2.load',
      'r2.transform',
    ]);
    expect(result.runsRequeued).toBe(2);
    expect(await tiStates(db.dataSource, 'etl', 'r1')).toEqual({
      extract: 'success',
      transform: null,
      load: null,
      audit: 'success',
    });
    const transform = await db.dataSource
      .getRepository(TaskInstanceEntity)
      .findOneByOrFail({ dagId: 'etl', runId: 'r1', taskId: 'transform' });
    expect(transform.tryNumber).toBe(3);
    expect(transform.maxTries).toBe(5); // try_number + retries: a fresh set of retries
    const runs = await db.dataSource
      .getRepository(DagRunEntity)
      .find({ where: { dagId: 'etl' }, order: { runId: 'ASC' } });
    expect(runs.map((r) => r.state)).toEqual(['queued', 'queued', 'running']);
    expect(runs[0].endDate).toBeNull();
    expect(await db.dataSource.getRepository(AuditLogEntity).countBy({ event: 'clear', owner: 'tester' })).toBe(1);
  });

  it('clear sets queued and running task instances restarting, and a dry run changes nothing', async () => {
    const dry = await clearTaskInstances(ctx, { dagId: 'etl', runId: 'r3', dryRun: true });
    expect(dry.clearedCount).toBe(0);
    expect(dry.cleared.map((ti) => ti.taskId).sort()).toEqual(['audit', 'extract', 'load', 'transform']);
    expect(dry.restarting.map((ti) => ti.taskId).sort()).toEqual(['audit', 'transform']);
    expect(await tiStates(db.dataSource, 'etl', 'r3')).toEqual({
      extract: 'success',
      transform: 'running',
      load: null,
      audit: 'queued',
    });

    const real = await clearTaskInstances(ctx, { dagId: 'etl', runId: 'r3' });
    expect(real.clearedCount).toBe(4);
    expect(real.runsRequeued).toBe(0); // a running run keeps running and picks the cleared tasks up
    expect(await tiStates(db.dataSource, 'etl', 'r3')).toEqual({
      extract: null,
      transform: 'restarting',
      load: null,
      audit: 'restarting',
    });
  });

  it('clear --only-failed and its errors', async () => {
    const result = await clearTaskInstances(ctx, { dagId: 'etl', onlyFailed: true });
    expect(result.cleared.map((ti) => `${ti.runId}.${ti.taskId}`).sort()).toEqual(['r1.load', 'r1.transform']);
    await expect(clearTaskInstances(ctx, { dagId: 'nope' })).rejects.toThrow(new NotFoundError("DAG 'nope' not found"));
    await expect(clearTaskInstances(ctx, { dagId: 'etl', taskRegex: '(' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('marks a task instance and its downstream, moving only rows in another state', async () => {
    const result = await markTaskInstanceState(ctx, {
      dagId: 'etl',
      runId: 'r1',
      taskId: 'transform',
      state: 'success',
      downstream: true,
    });
    expect(result.count).toBe(2);
    expect(result.changed.map((ti) => ti.taskId).sort()).toEqual(['load', 'transform']);
    expect(await tiStates(db.dataSource, 'etl', 'r1')).toEqual({
      extract: 'success',
      transform: 'success',
      load: 'success',
      audit: 'success',
    });
    const again = await markTaskInstanceState(ctx, {
      dagId: 'etl',
      runId: 'r1',
      taskId: 'transform',
      state: 'success',
    });
    expect(again.count).toBe(0);
    await expect(
      markTaskInstanceState(ctx, { dagId: 'etl', runId: 'r1', taskId: 'nope', state: 'failed' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      markTaskInstanceState(ctx, { dagId: 'etl', runId: 'r9', taskId: 'load', state: 'failed' }),
    ).rejects.toThrow("DAG run 'r9' of DAG 'etl' not found");
    await expect(
      markTaskInstanceState(ctx, { dagId: 'etl', runId: 'r1', taskId: 'load', state: 'running' as 'success' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('marks a DAG run failed (running tasks fail, unfinished ones are skipped) and success', async () => {
    const failed = await markDagRunState(ctx, { dagId: 'etl', runId: 'r3', state: 'failed' });
    expect(failed).toMatchObject({ previousState: 'running', runsMoved: 1, taskInstancesMoved: 3 });
    expect(await tiStates(db.dataSource, 'etl', 'r3')).toEqual({
      extract: 'success',
      transform: 'failed',
      load: 'skipped',
      audit: 'skipped',
    });
    const run = await db.dataSource.getRepository(DagRunEntity).findOneByOrFail({ dagId: 'etl', runId: 'r3' });
    expect(run.state).toBe('failed');
    expect(run.endDate?.toISOString()).toBe('2026-02-01T00:00:00.000Z');

    const success = await markDagRunState(ctx, { dagId: 'etl', runId: 'r1', state: 'success' });
    expect(success.taskInstancesMoved).toBe(0); // every task instance of r1 already finished
    expect((await markDagRunState(ctx, { dagId: 'etl', runId: 'r1', state: 'success' })).runsMoved).toBe(0);
    expect((await markDagRunState(ctx, { dagId: 'etl', runId: 'r1', state: 'queued' })).runsMoved).toBe(1);
  });
});
