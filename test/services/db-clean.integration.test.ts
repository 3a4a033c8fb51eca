import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../src/core/clock';
import { AuditLogEntity, DagRunEntity, JobEntity, TaskInstanceEntity, XComEntity } from '../../src/db/entities';
import { cleanDatabase } from '../../src/services/db-clean';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';
import { makeSerializedDag, seedDag, seedRun, seedTi } from './helpers/seed';

const OLD = new Date('2025-06-01T00:00:00Z');
const CUT_OFF = new Date('2026-06-01T00:00:00Z');

describe.each(DATABASE_KINDS)('db clean on %s', (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  let ctx: { dataSource: typeof db.dataSource; clock: FakeClock };
  let archiveDir: string;

  const count = async (entity: typeof DagRunEntity | typeof TaskInstanceEntity | typeof XComEntity, runId: string) =>
    db.dataSource.getRepository(entity).countBy({ dagId: 'etl', runId });
  const runIds = async () =>
    (await db.dataSource.getRepository(DagRunEntity).find({ order: { runId: 'ASC' } })).map((r) => r.runId);

  beforeEach(async () => {
    ctx = { dataSource: db.dataSource, clock: new FakeClock('2026-07-01T00:00:00Z') };
    archiveDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'db-clean-')), 'archive');
    await seedDag(db.dataSource, makeSerializedDag('etl', ['extract', 'load'], ['extract>load'], 0));
    // Every run is old; only the finished ones may go.
    for (const [runId, date, state] of [
      ['failed_run', '2026-01-01T00:00:00Z', 'failed'],
      ['done_run', '2026-01-02T00:00:00Z', 'success'],
      ['running_run', '2026-01-03T00:00:00Z', 'running'],
      ['queued_run', '2026-01-04T00:00:00Z', 'queued'],
    ] as const) {
      await seedRun(db.dataSource, 'etl', runId, date, state);
      await seedTi(db.dataSource, 'etl', runId, 'extract', state === 'queued' ? null : 'success');
      await db.dataSource.getRepository(XComEntity).insert({
        dagId: 'etl',
        runId,
        taskId: 'extract',
        mapIndex: -1,
        key: 'return_value',
        value: '1',
        timestamp: OLD,
      });
    }
    await db.dataSource.getRepository(AuditLogEntity).insert({ dttm: OLD, event: 'trigger', owner: 'cli:old' });
    await db.dataSource.getRepository(JobEntity).insert([
      { jobType: 'SchedulerJob', state: 'success', latestHeartbeat: OLD, startDate: OLD, endDate: OLD },
      { jobType: 'SchedulerJob', state: 'running', latestHeartbeat: OLD, startDate: OLD },
    ]);
  });

  it('a dry run counts what would go and deletes nothing', async () => {
    const result = await cleanDatabase(ctx, { before: CUT_OFF, dryRun: true, archiveDir });
    expect(result.rows).toMatchObject({ dag_run: 2, log: 1, job: 1 });
    expect(result.archive).toBeNull();
    expect(await runIds()).toEqual(['done_run', 'failed_run', 'queued_run', 'running_run']);
    expect(await db.dataSource.getRepository(XComEntity).count()).toBe(4);
    expect(await db.dataSource.getRepository(AuditLogEntity).count()).toBe(1);
    expect(await db.dataSource.getRepository(JobEntity).count()).toBe(2);
    expect(fs.existsSync(archiveDir)).toBe(false);
  });

  it('deletes old finished runs and their rows, never those of queued or running runs; archives first', async () => {
    const result = await cleanDatabase(ctx, { before: CUT_OFF, archiveDir, actor: 'tester' });
    expect(result.rows).toMatchObject({ dag_run: 2, log: 1, job: 1 });
    expect(await runIds()).toEqual(['queued_run', 'running_run']);
    for (const runId of ['queued_run', 'running_run']) {
      expect(await count(TaskInstanceEntity, runId)).toBe(1);
      expect(await count(XComEntity, runId)).toBe(1);
    }
    for (const runId of ['failed_run', 'done_run']) {
      expect(await count(TaskInstanceEntity, runId)).toBe(0);
      expect(await count(XComEntity, runId)).toBe(0);
    }
    const jobs = await db.dataSource.getRepository(JobEntity).find();
    expect(jobs.map((job) => job.state)).toEqual(['running']);
    // The old audit row went; the clean itself is recorded.
    const audit = await db.dataSource.getRepository(AuditLogEntity).find();
    expect(audit.map((row) => [row.event, row.owner])).toEqual([['db_clean', 'tester']]);
    const archived = fs.readFileSync(path.join(archiveDir, 'dag_run.jsonl'), 'utf8').trim().split('\n');
    expect(archived.map((line) => (JSON.parse(line) as { run_id: string }).run_id).sort()).toEqual([
      'done_run',
      'failed_run',
    ]);
  });

  it('keeps runs newer than the cut-off, and the latest scheduled run of each DAG', async () => {
    await db.dataSource.getRepository(DagRunEntity).update({ runId: 'done_run' }, { runType: 'scheduled' });
    const result = await cleanDatabase(ctx, {
      before: CUT_OFF,
      tables: ['dag_run'],
      skipArchive: true,
      archiveDir,
    });
    expect(result.rows.dag_run).toBe(1);
    expect(await runIds()).toEqual(['done_run', 'queued_run', 'running_run']);
    expect(fs.existsSync(archiveDir)).toBe(false);

    const none = await cleanDatabase(ctx, { before: new Date('2025-01-01T00:00:00Z'), archiveDir });
    expect(Object.values(none.rows).every((n) => n === 0)).toBe(true);
  });

  it('xcom alone: only the XComs of finished runs', async () => {
    const result = await cleanDatabase(ctx, { before: CUT_OFF, tables: ['xcom'], skipArchive: true, archiveDir });
    expect(result.rows).toEqual({ xcom: 2 });
    expect(await runIds()).toHaveLength(4);
    expect(await count(XComEntity, 'running_run')).toBe(1);
    expect(await count(XComEntity, 'queued_run')).toBe(1);
  });
});
