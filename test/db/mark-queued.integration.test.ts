import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { markQueued, markQueuedSql } from '../../src/db/transitions/task-instance-transitions';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';

const at0 = new Date('2026-01-01T00:00:00.000Z');
const keyOf = (taskId: string) => ({ dagId: 'd', runId: 'r', taskId, mapIndex: -1 });

async function taskInstances(ds: DataSource, rows: Array<{ taskId: string; state: string | null; held?: boolean }>) {
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
     VALUES ('d', 'r', ?, 'running', 'manual', ?, ?)`,
    [at0.toISOString(), false, at0.toISOString()],
  );
  for (const { taskId, state, held = false } of rows) {
    await execSql(
      ds,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
         queue, priority_weight, updated_at, state, held)
       VALUES ('d', 'r', ?, -1, 0, 1, 'FunctionOperator', 'default_pool', 1, 'default', 1, ?, ?, ?)`,
      [taskId, at0.toISOString(), state, held],
    );
  }
}

describe.each(DATABASE_KINDS)('markQueued (%s)', (kind) => {
  const db = migratedDatabaseForEachTest(kind);

  it('moves only the named rows that are scheduled and not held, each to its next try', async () => {
    await taskInstances(db.dataSource, [
      { taskId: 'a', state: 'scheduled' },
      { taskId: 'b', state: 'scheduled', held: true },
      { taskId: 'c', state: null },
      { taskId: 'd', state: 'success' },
      { taskId: 'e', state: 'scheduled' },
      { taskId: 'f', state: 'scheduled' },
    ]);
    const queued = await db.dataSource.transaction((m) => markQueued(m, ['a', 'b', 'c', 'd', 'e'].map(keyOf), 7, at0));
    expect(queued.map((q) => [q.taskId, q.tryNumber]).sort()).toEqual([
      ['a', 1],
      ['e', 1],
    ]);
    const { records } = await execSql<{ task_id: string; state: string | null }>(
      db.dataSource,
      'SELECT task_id, state FROM task_instance ORDER BY task_id',
    );
    expect(records.map((r) => [r.task_id, r.state])).toEqual([
      ['a', 'queued'],
      ['b', 'scheduled'],
      ['c', null],
      ['d', 'success'],
      ['e', 'queued'],
      ['f', 'scheduled'],
    ]);
  });
});

describe('markQueued on SQLite', () => {
  const db = migratedDatabaseForEachTest('sqlite');

  // With the state guard served by an index, each statement walked every scheduled row of every run.
  it.each([1, 7, 200])('finds each of %i keys by primary key, not through a state index', async (keyCount) => {
    const params = [at0.toISOString(), 1, at0.toISOString(), 0, ...Array(keyCount).fill(['d', 'r', 't', -1]).flat()];
    const plan = await db.dataSource.query(`EXPLAIN QUERY PLAN ${markQueuedSql(keyCount)}`, params);
    const steps = (plan as Array<{ detail: string }>).map((p) => p.detail).filter((d) => /SCAN|SEARCH/.test(d));
    expect(steps).toHaveLength(keyCount);
    // SQLite's own name for the primary key's index, and the plan of the SQLite bundled with
    // better-sqlite3: an upgrade that plans this differently fails here, to be looked at.
    const byPrimaryKey = /^SEARCH task_instance USING INDEX sqlite_autoindex_task_instance_1 /;
    for (const step of steps) expect(step).toMatch(byPrimaryKey);
  });
});
