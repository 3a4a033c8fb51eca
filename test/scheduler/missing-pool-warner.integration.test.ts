import type { DataSource } from 'typeorm';
import { FakeClock } from '../../src/core/clock';
import { execSql } from '../../src/db/sql';
import { MissingPoolWarner } from '../../src/scheduler/missing-pool-warner';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { DATABASE_KINDS } from '../helpers/test-database';

const at0 = '2026-01-01T00:00:00.000Z';

/** A running run of DAG 'd' whose task 'waits' is scheduled in pool 'nope', which does not exist. */
async function taskWaitingForMissingPool(ds: DataSource): Promise<void> {
  await seedDag(ds, makeDag('d', [makeTask('waits')]));
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
     VALUES ('d', 'r', ?, 'running', 'manual', ?, ?)`,
    [at0, false, at0],
  );
  await execSql(
    ds,
    `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool,
       pool_slots, queue, priority_weight, updated_at, state, held)
     VALUES ('d', 'r', 'waits', -1, 0, 1, 'FunctionOperator', 'nope', 1, 'default', 1, ?, 'scheduled', ?)`,
    [at0, false],
  );
}

describe.each(DATABASE_KINDS)('missing-pool warner (%s)', (kind) => {
  const db = migratedDatabaseForEachTest(kind);

  it('names a missing pool once a minute', async () => {
    const ds = db.dataSource;
    await taskWaitingForMissingPool(ds);
    const clock = new FakeClock(at0);
    const warner = new MissingPoolWarner(clock);
    const warn = () => ds.transaction((m) => warner.warn(m, ['default_pool']));
    expect(await warn()).toEqual(['nope']);
    clock.advance('59s');
    expect(await warn()).toEqual([]);
    clock.advance('1s');
    expect(await warn()).toEqual(['nope']);
  });

  it('skips the look, when asked, within a minute of the last one', async () => {
    const ds = db.dataSource;
    const clock = new FakeClock(at0);
    const warner = new MissingPoolWarner(clock);
    const warnUnlessRecent = () =>
      ds.transaction((m) => warner.warn(m, ['default_pool'], { unlessScannedRecently: true }));
    expect(await warnUnlessRecent()).toEqual([]); // nothing waits yet: the look found nothing
    await taskWaitingForMissingPool(ds);
    clock.advance('59s');
    expect(await warnUnlessRecent()).toEqual([]); // not looked
    clock.advance('1s');
    expect(await warnUnlessRecent()).toEqual(['nope']);
  });

  it("keeps each loop's memory apart: a second warner names what the first one just named", async () => {
    const ds = db.dataSource;
    await taskWaitingForMissingPool(ds);
    const clock = new FakeClock(at0);
    const [first, second] = [new MissingPoolWarner(clock), new MissingPoolWarner(clock)];
    expect(await ds.transaction((m) => first.warn(m, ['default_pool']))).toEqual(['nope']);
    expect(await ds.transaction((m) => second.warn(m, ['default_pool'], { unlessScannedRecently: true }))).toEqual([
      'nope',
    ]);
  });
});
