import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { runInTransaction } from '../../src/db/transaction';
import { claimTryStart, claimTryStarts, claimTryStartsIn } from '../../src/db/transitions/claim-try-start';
import { markQueued, requeueNeverStarted } from '../../src/db/transitions/task-instance-transitions';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { DATABASE_KINDS } from '../helpers/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const KEY = { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 };
const JOB = 7;
const START = { at: NOW, hostname: 'host-a', pid: 4242, queuedByJobId: JOB };

async function insertQueued(ds: DataSource, tryNumber: number): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
       queue, priority_weight, updated_at, state, queued_dttm, queued_by_job_id)
     VALUES ('d', 'r', 't', -1, ?, 2, 'BashOperator', 'default_pool', 1, 'default', 1, ?, 'queued', ?, ?)`,
    [tryNumber, NOW.toISOString(), NOW.toISOString(), JOB],
  );
}

async function row(
  ds: DataSource,
): Promise<{ state: string; try_number: number; hostname: string | null; pid: number | null }> {
  const { records } = await execSql<{ state: string; try_number: number; hostname: string | null; pid: number | null }>(
    ds,
    `SELECT state, try_number, hostname, pid FROM task_instance WHERE task_id = 't'`,
  );
  return {
    ...records[0],
    try_number: Number(records[0].try_number),
    pid: records[0].pid === null ? null : Number(records[0].pid),
  };
}

const giveBack = (ds: DataSource, tryNumber: number) =>
  runInTransaction(ds, (m) => requeueNeverStarted(m, KEY, tryNumber, NOW));

/**
 * Exactly once per try: a try starts only through claimTryStart (queued → running at its try
 * number), and a give-back of a never-started try (scheduler restart, stuck in queued) cannot win
 * against it — the finding was a try run twice at one try number after a scheduler kill.
 */
describe.each(DATABASE_KINDS)('claimTryStart on %s', (kind) => {
  const db = migratedDatabaseForEachTest(kind);

  it('moves a queued try to running with where it runs; a second claim of the same try is refused', async () => {
    const ds = db.dataSource;
    await insertQueued(ds, 1);
    expect(await claimTryStart(ds, KEY, 1, START)).toBe(true);
    expect(await row(ds)).toEqual({ state: 'running', try_number: 1, hostname: 'host-a', pid: 4242 });
    expect(await claimTryStart(ds, KEY, 1, { ...START, hostname: 'host-b' })).toBe(false);
    expect((await row(ds)).hostname).toBe('host-a');
  });

  it('a claimed try is never given back, so it is never sent again at its try number', async () => {
    const ds = db.dataSource;
    await insertQueued(ds, 1);
    expect(await claimTryStart(ds, KEY, 1, START)).toBe(true);
    expect(await giveBack(ds, 1)).toBe(0);
    expect(await row(ds)).toMatchObject({ state: 'running', try_number: 1 });
  });

  it('a try given back before its claim never starts, not even once it is queued again at that number', async () => {
    const ds = db.dataSource;
    await insertQueued(ds, 1);
    expect(await giveBack(ds, 1)).toBe(1);
    expect(await claimTryStart(ds, KEY, 1, START)).toBe(false);
    // Queued again by another scheduler (job 8): the same try number, but only that send may start it, once.
    const queued = await runInTransaction(ds, (m) => markQueued(m, [KEY], 8, NOW));
    expect(queued.map((q) => q.tryNumber)).toEqual([1]);
    expect(await claimTryStart(ds, KEY, 1, START)).toBe(false);
    expect(await claimTryStart(ds, KEY, 1, { ...START, queuedByJobId: 8 })).toBe(true);
    expect(await claimTryStart(ds, KEY, 1, { ...START, queuedByJobId: 8 })).toBe(false);
  });

  it('refuses a claim for another try number (a late runner of an earlier try)', async () => {
    const ds = db.dataSource;
    await insertQueued(ds, 2);
    expect(await claimTryStart(ds, KEY, 1, START)).toBe(false);
    expect(await row(ds)).toMatchObject({ state: 'queued', try_number: 2 });
  });

  it('claims a batch in one transaction, answering each claim: a repeated try in the batch wins once', async () => {
    const ds = db.dataSource;
    await insertQueued(ds, 1);
    const claim = { key: KEY, tryNumber: 1, start: START };
    const stale = { key: KEY, tryNumber: 2, start: START };
    expect(await claimTryStarts(ds, [claim, { ...claim, start: { ...START, hostname: 'host-b' } }, stale])).toEqual([
      true,
      false,
      false,
    ]);
    expect(await row(ds)).toEqual({ state: 'running', try_number: 1, hostname: 'host-a', pid: 4242 });
  });

  it('claims many tries with one statement, each with its own process, refusing the ones not ours', async () => {
    const ds = db.dataSource;
    const keys = ['a', 'b', 'c', 'd'].map((taskId) => ({ ...KEY, taskId }));
    for (const key of keys)
      await execSql(
        ds,
        `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool,
           pool_slots, queue, priority_weight, updated_at, state, queued_dttm, queued_by_job_id)
         VALUES ('d', 'r', ?, -1, 1, 2, 'BashOperator', 'default_pool', 1, 'default', 1, ?, 'queued', ?, ?)`,
        [key.taskId, NOW.toISOString(), NOW.toISOString(), key.taskId === 'c' ? JOB + 1 : JOB],
      );
    const claims = keys.map((key, i) => ({
      key,
      tryNumber: key.taskId === 'd' ? 2 : 1,
      // b's process is not known yet (a pid of null is written as null).
      start: { ...START, hostname: `host-${key.taskId}`, pid: key.taskId === 'b' ? null : 100 + i },
    }));
    // c was queued by another job, d is at another try number: only a and b are ours.
    expect(await runInTransaction(ds, (m) => claimTryStartsIn(m, claims))).toEqual([true, true, false, false]);
    const { records } = await execSql<{ task_id: string; state: string; hostname: string | null; pid: unknown }>(
      ds,
      `SELECT task_id, state, hostname, pid FROM task_instance WHERE task_id <> 't' ORDER BY task_id`,
    );
    expect(records.map((r) => [r.task_id, r.state, r.hostname, r.pid === null ? null : Number(r.pid)])).toEqual([
      ['a', 'running', 'host-a', 100],
      ['b', 'running', 'host-b', null],
      ['c', 'queued', null, null],
      ['d', 'queued', null, null],
    ]);
  });

  it('claims more tries than one statement takes (501), each once', async () => {
    const ds = db.dataSource;
    const keys = Array.from({ length: 501 }, (_, i) => ({ ...KEY, taskId: `m${i}` }));
    await execSql(
      ds,
      `WITH RECURSIVE numbers (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM numbers WHERE n < 500)
       INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
         queue, priority_weight, updated_at, state, queued_dttm, queued_by_job_id)
       SELECT 'd', 'r', 'm' || n, -1, 1, 2, 'BashOperator', 'default_pool', 1, 'default', 1, ?, 'queued', ?, ?
       FROM numbers`,
      [NOW.toISOString(), NOW.toISOString(), JOB],
    );
    const claims = keys.map((key) => ({ key, tryNumber: 1, start: START }));
    expect(await runInTransaction(ds, (m) => claimTryStartsIn(m, claims))).toEqual(keys.map(() => true));
    expect(await runInTransaction(ds, (m) => claimTryStartsIn(m, claims))).toEqual(keys.map(() => false));
    const { records } = await execSql<{ n: number | string }>(
      ds,
      `SELECT COUNT(*) AS n FROM task_instance WHERE state = 'running' AND task_id LIKE 'm%'`,
    );
    expect(Number(records[0].n)).toBe(501);
  });

  it('a lone claim made while another transaction is open waits for it and is not rolled back with it', async () => {
    const ds = db.dataSource;
    await insertQueued(ds, 1);
    const pending: { claim?: Promise<boolean[]> } = {};
    await expect(
      runInTransaction(ds, async (m) => {
        await execSql(m, `UPDATE task_instance SET priority_weight = 5 WHERE task_id = 't'`);
        pending.claim = claimTryStarts(ds, [{ key: KEY, tryNumber: 1, start: START }]);
        throw new Error('the loop step fails');
      }),
    ).rejects.toThrow('the loop step fails');
    expect(await pending.claim).toEqual([true]);
    expect(await row(ds)).toMatchObject({ state: 'running', try_number: 1 });
  });
});
