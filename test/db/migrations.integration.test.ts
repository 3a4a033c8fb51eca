import { migrate, migrationStatus, openDatabase } from '../../src/db/data-source';
import { PoolEntity, TaskInstanceEntity } from '../../src/db/entities';
import { DagRunCreationIndex1700000000044 } from '../../src/db/migrations/1700000000044-dag-run-creation-index';
import { DATABASE_KINDS, createTestDatabase } from '../helpers/test-database';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  it('create every table, are idempotent, and seed default_pool', async () => {
    const db = await createTestDatabase(kind);
    const ds = await openDatabase(db.url);
    try {
      expect((await migrationStatus(ds)).pending.length).toBeGreaterThan(0);
      const first = await migrate(ds);
      expect(first).toContain('InitialSchema1700000000001');
      expect(await migrate(ds)).toEqual([]);
      expect((await migrationStatus(ds)).pending).toEqual([]);

      const pool = await ds.getRepository(PoolEntity).findOneByOrFail({ pool: 'default_pool' });
      expect(pool.slots).toBe(128);

      // Entities map onto the migrated schema, including ISO dates and JSON columns.
      const repo = ds.getRepository(TaskInstanceEntity);
      const start = new Date('2026-03-01T10:00:00.123Z');
      await repo.insert({
        dagId: 'd',
        runId: 'r',
        taskId: 't',
        mapIndex: -1,
        state: 'running',
        tryNumber: 1,
        startDate: start,
        renderedFields: { a: 1 },
      });
      const ti = await repo.findOneByOrFail({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 });
      expect(ti.startDate?.toISOString()).toBe(start.toISOString());
      expect(ti.renderedFields).toEqual({ a: 1 });
      expect(ti.pool).toBe('default_pool');
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });

  it('add and drop the due-DAG index of the dag table (up, down, up)', async () => {
    const db = await createTestDatabase(kind);
    const ds = await openDatabase(db.url);
    const runner = ds.createQueryRunner();
    const indexNames = async () => ((await runner.getTable('dag'))?.indices ?? []).map((i) => i.name);
    try {
      await migrate(ds);
      expect(await indexNames()).toContain('idx_dag_next_run_create_after');
      const migration = new DagRunCreationIndex1700000000044();
      await migration.down(runner);
      expect(await indexNames()).not.toContain('idx_dag_next_run_create_after');
      await migration.up(runner);
      expect(await indexNames()).toContain('idx_dag_next_run_create_after');
    } finally {
      await runner.release();
      await ds.destroy();
      await db.drop();
    }
  });
});
