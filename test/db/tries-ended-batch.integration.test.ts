import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { markQueued, markRunning, markTriesEnded, TryEnd } from '../../src/db/transitions/task-instance-transitions';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';

const at0 = new Date('2026-01-01T00:00:00.000Z');
const keyOf = (taskId: string) => ({ dagId: 'd', runId: 'r', taskId, mapIndex: -1 });
const ended = (state: TryEnd['state'], iso: string, extra: Partial<TryEnd> = {}): TryEnd => ({
  state,
  at: new Date(iso),
  reason: null,
  nextTryAt: null,
  ...extra,
});

async function queuedTasks(ds: DataSource, taskIds: string[]): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at)
     VALUES ('d', 'r', ?, 'running', 'manual', ?, ?)`,
    [at0.toISOString(), false, at0.toISOString()],
  );
  for (const taskId of taskIds) {
    await execSql(
      ds,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
         queue, priority_weight, updated_at, state)
       VALUES ('d', 'r', ?, -1, 0, 1, 'FunctionOperator', 'default_pool', 1, 'default', 1, ?, 'scheduled')`,
      [taskId, at0.toISOString()],
    );
  }
  await ds.transaction((m) => markQueued(m, taskIds.map(keyOf), null, at0));
}

async function rows(ds: DataSource): Promise<Record<string, Record<string, unknown>>> {
  const { records } = await execSql<Record<string, unknown>>(
    ds,
    `SELECT task_id, state, try_number, start_date, end_date, duration, hostname, pid, end_reason, next_try_at,
       rendered_fields
     FROM task_instance ORDER BY task_id`,
  );
  const { records: history } = await execSql<{ task_id: string; state: string; try_number: number }>(
    ds,
    `SELECT task_id, state, try_number FROM task_instance_history ORDER BY task_id`,
  );
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of records) {
    const { task_id: taskId, ...rest } = r;
    out[String(taskId)] = {
      ...rest,
      try_number: Number(rest.try_number),
      duration: rest.duration === null ? null : Number(rest.duration),
      pid: rest.pid === null ? null : Number(rest.pid),
      history: history.filter((h) => h.task_id === taskId).map((h) => `${h.state}#${Number(h.try_number)}`),
    };
  }
  return out;
}

describe.each(DATABASE_KINDS)('markTriesEnded (%s)', (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  beforeEach(() => queuedTasks(db.dataSource, ['a', 'b', 'c', 'd', 'e']));

  it('ends a batch like one transition per try: joined starts, retries, stale, reschedules, a try twice', async () => {
    await db.dataSource.transaction((m) =>
      markRunning(m, keyOf('b'), 1, new Date('2026-01-01T00:00:02.000Z'), 'host-b', 7),
    );
    const moved = await db.dataSource.transaction((m) =>
      markTriesEnded(m, [
        {
          key: keyOf('a'),
          tryNumber: 1,
          end: ended('success', '2026-01-01T00:00:03.000Z', { renderedFields: { x: 1 } }),
          started: { at: new Date('2026-01-01T00:00:01.250Z'), hostname: 'host-a', pid: 42 },
        },
        {
          key: keyOf('b'),
          tryNumber: 1,
          end: ended('up_for_retry', '2026-01-01T00:01:02.500Z', {
            reason: 'boom',
            nextTryAt: new Date('2026-01-01T00:05:00.000Z'),
          }),
          started: null,
        },
        { key: keyOf('c'), tryNumber: 2, end: ended('success', '2026-01-01T00:00:04.000Z'), started: null },
        {
          key: keyOf('d'),
          tryNumber: 1,
          end: ended('up_for_reschedule', '2026-01-01T00:00:05.000Z', {
            nextTryAt: new Date('2026-01-01T00:10:00.000Z'),
          }),
          started: null,
        },
        {
          key: keyOf('e'),
          tryNumber: 1,
          end: ended('failed', '2026-01-01T00:00:06.000Z', { reason: 'first' }),
          started: null,
        },
        { key: keyOf('e'), tryNumber: 1, end: ended('success', '2026-01-01T00:00:07.000Z'), started: null },
      ]),
    );
    // Each moved try with the duration its row now holds (the metrics' task duration); null: not moved.
    expect(moved).toEqual([
      { durationSeconds: 1.75 },
      { durationSeconds: 60.5 },
      null,
      { durationSeconds: 0 },
      { durationSeconds: 0 },
      null,
    ]);
    const after = await rows(db.dataSource);
    expect(after.a).toMatchObject({
      state: 'success',
      start_date: '2026-01-01T00:00:01.250Z',
      end_date: '2026-01-01T00:00:03.000Z',
      duration: 1.75,
      hostname: 'host-a',
      pid: 42,
      history: ['success#1'],
    });
    expect(JSON.parse(String(after.a.rendered_fields))).toEqual({ x: 1 });
    expect(after.b).toMatchObject({
      state: 'up_for_retry',
      start_date: '2026-01-01T00:00:02.000Z',
      duration: 60.5,
      hostname: 'host-b',
      pid: 7,
      end_reason: 'boom',
      next_try_at: '2026-01-01T00:05:00.000Z',
      history: ['up_for_retry#1'],
    });
    expect(after.c).toMatchObject({ state: 'queued', try_number: 1, history: [] });
    expect(after.d).toMatchObject({
      state: 'up_for_reschedule',
      try_number: 0,
      next_try_at: '2026-01-01T00:10:00.000Z',
    });
    expect(after.e).toMatchObject({ state: 'failed', end_reason: 'first', duration: 0, history: ['failed#1'] });
  });

  it('moves nothing for an empty batch and for tries already ended', async () => {
    expect(await db.dataSource.transaction((m) => markTriesEnded(m, []))).toEqual([]);
    const end = { key: keyOf('a'), tryNumber: 1, end: ended('success', '2026-01-01T00:00:03.000Z'), started: null };
    expect(await db.dataSource.transaction((m) => markTriesEnded(m, [end]))).toEqual([{ durationSeconds: 0 }]);
    expect(
      await db.dataSource.transaction((m) =>
        markTriesEnded(m, [{ ...end, end: ended('failed', '2026-01-01T00:00:09.000Z') }]),
      ),
    ).toEqual([null]);
    expect((await rows(db.dataSource)).a).toMatchObject({ state: 'success', history: ['success#1'] });
  });
});
