import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { markQueued, markRunning, markTryEnded } from '../../src/db/transitions/task-instance-transitions';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';

const key = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };
const queuedAt = new Date('2026-01-01T00:00:00.000Z');

async function queuedTask(ds: DataSource): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
     VALUES ('d', 'r', ?, 'running', 'manual', ?, ?)`,
    [queuedAt.toISOString(), false, queuedAt.toISOString()],
  );
  await execSql(
    ds,
    `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
       queue, priority_weight, updated_at, state)
     VALUES ('d', 'r', 't', -1, 0, 0, 'FunctionOperator', 'default_pool', 1, 'default', 1, ?, 'scheduled')`,
    [queuedAt.toISOString()],
  );
  await ds.transaction((m) => markQueued(m, [key], null, queuedAt));
}

async function row(ds: DataSource): Promise<Record<string, unknown>> {
  const { records } = await execSql(
    ds,
    `SELECT state, start_date, end_date, duration, hostname, pid FROM task_instance WHERE task_id = 't'`,
  );
  const { records: history } = await execSql(
    ds,
    `SELECT state, start_date, duration, hostname FROM task_instance_history WHERE task_id = 't' AND try_number = 1`,
  );
  return {
    ...records[0],
    duration: Number(records[0].duration),
    pid: records[0].pid === null ? null : Number(records[0].pid),
    history: history.map((h) => ({ ...h, duration: Number(h.duration) })),
  };
}

describe.each(DATABASE_KINDS)('markTryEnded (%s)', (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  beforeEach(() => queuedTask(db.dataSource));

  it('writes the start of a try that ended in the same batch, with its duration, in one transition', async () => {
    const started = { at: new Date('2026-01-01T00:00:01.250Z'), hostname: 'host-a', pid: 4242 };
    const moved = await db.dataSource.transaction((m) =>
      markTryEnded(
        m,
        key,
        1,
        { state: 'success', at: new Date('2026-01-01T00:00:03.000Z'), reason: null, nextTryAt: null },
        started,
      ),
    );
    expect(moved).toBe(1);
    expect(await row(db.dataSource)).toEqual({
      state: 'success',
      start_date: '2026-01-01T00:00:01.250Z',
      end_date: '2026-01-01T00:00:03.000Z',
      duration: 1.75,
      hostname: 'host-a',
      pid: 4242,
      history: [{ state: 'success', start_date: '2026-01-01T00:00:01.250Z', duration: 1.75, hostname: 'host-a' }],
    });
  });

  it('keeps the start markRunning wrote and measures the duration from it', async () => {
    await db.dataSource.transaction((m) => markRunning(m, key, 1, new Date('2026-01-01T00:00:02.000Z'), 'host-b', 7));
    await db.dataSource.transaction((m) =>
      markTryEnded(
        m,
        key,
        1,
        { state: 'failed', at: new Date('2026-01-01T00:01:02.500Z'), reason: 'boom', nextTryAt: null },
        null,
      ),
    );
    expect(await row(db.dataSource)).toMatchObject({
      state: 'failed',
      start_date: '2026-01-01T00:00:02.000Z',
      duration: 60.5,
      hostname: 'host-b',
      pid: 7,
    });
  });

  it('a try that never reported a start takes its end as start (duration 0); a stale try moves nothing', async () => {
    expect(
      await db.dataSource.transaction((m) =>
        markTryEnded(m, key, 2, {
          state: 'success',
          at: new Date('2026-01-01T00:00:05.000Z'),
          reason: null,
          nextTryAt: null,
        }),
      ),
    ).toBe(0);
    expect(
      await db.dataSource.transaction((m) =>
        markTryEnded(m, key, 1, {
          state: 'success',
          at: new Date('2026-01-01T00:00:05.000Z'),
          reason: null,
          nextTryAt: null,
        }),
      ),
    ).toBe(1);
    expect(await row(db.dataSource)).toMatchObject({
      state: 'success',
      start_date: '2026-01-01T00:00:05.000Z',
      duration: 0,
      hostname: null,
      pid: null,
    });
  });
});
