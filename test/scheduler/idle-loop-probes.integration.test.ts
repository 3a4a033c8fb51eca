import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import { whichExist } from '../../src/db/which-exist';
import { backfillsToAdvance } from '../../src/scheduler/advance-backfills';
import { pendingCallbacks } from '../../src/scheduler/callback-runner';
import { deadlinesPassed } from '../../src/scheduler/check-deadlines';
import { datasetQueueWaiting } from '../../src/scheduler/create-dataset-triggered-runs';
import { claimedLongAgo } from '../../src/scheduler/end-stranded-claims';
import { restartingTriesOf } from '../../src/scheduler/finish-restarts';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { DATABASE_KINDS } from '../helpers/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000).toISOString();

async function insertRun(ds: DataSource, runId: string, state: string, endDate: string | null = null): Promise<void> {
  await execSql(
    ds,
    'INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at, end_date) ' +
      "VALUES ('d', ?, ?, ?, 'manual', ?, ?, ?)",
    [runId, minutes(-60 + Number(runId.slice(1))), state, false, NOW.toISOString(), endDate],
  );
}

async function callbackRequest(ds: DataSource, runId: string, state: string): Promise<void> {
  await execSql(
    ds,
    "INSERT INTO callback_request (dag_id, run_id, kind, state, created_at) VALUES ('d', ?, 'dag_success', ?, ?)",
    [runId, state, NOW.toISOString()],
  );
}

/**
 * The loop asks these "anything to do?" conditions in one statement and skips a check whose
 * condition found nothing: each must find rows whenever its check has work, or that work would
 * wait for ever.
 */
describe.each(DATABASE_KINDS)("the scheduler loop's idle probes (%s)", (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  const ask = (conditions: Parameters<typeof whichExist>[1]) => whichExist(db.dataSource, conditions);

  beforeEach(async () => {
    await seedDag(db.dataSource, makeDag('d', [makeTask('t')]));
  });

  it('asks nothing when no condition is given, and answers each condition apart', async () => {
    expect(await ask({ a: null, b: null })).toEqual({ a: false, b: false });
    await callbackRequest(db.dataSource, 'r1', 'pending');
    expect(await ask({ callbacks: pendingCallbacks, backfills: backfillsToAdvance, skipped: null })).toEqual({
      callbacks: true,
      backfills: false,
      skipped: false,
    });
  });

  it('finds pending callback requests only', async () => {
    const ds = db.dataSource;
    await callbackRequest(ds, 'r1', 'success');
    expect((await ask({ c: pendingCallbacks })).c).toBe(false);
    await callbackRequest(ds, 'r2', 'pending');
    expect((await ask({ c: pendingCallbacks })).c).toBe(true);
  });

  it('finds passed deadlines not yet missed, of runs unfinished or finished after them', async () => {
    const ds = db.dataSource;
    const deadline = (runId: string, at: string, missedAt: string | null = null) =>
      execSql(
        ds,
        'INSERT INTO deadline (dag_id, run_id, deadline_time, has_callback, missed_at) VALUES (?, ?, ?, ?, ?)',
        ['d', runId, at, false, missedAt],
      );
    await insertRun(ds, 'r1', 'running');
    await deadline('r1', minutes(5)); // not passed yet
    await insertRun(ds, 'r2', 'success', minutes(-20));
    await deadline('r2', minutes(-10)); // finished in time
    await insertRun(ds, 'r3', 'running');
    await deadline('r3', minutes(-10), minutes(-9)); // already recorded
    expect((await ask({ d: deadlinesPassed(NOW) })).d).toBe(false);
    expect((await ask({ d: deadlinesPassed(new Date(minutes(6))) })).d).toBe(true);
    await insertRun(ds, 'r4', 'failed', minutes(-5));
    await deadline('r4', minutes(-10)); // finished late
    expect((await ask({ d: deadlinesPassed(NOW) })).d).toBe(true);
  });

  it("finds this scheduler's restarting tries only", async () => {
    const ds = db.dataSource;
    await insertRun(ds, 'r1', 'running');
    await execSql(
      ds,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
         queue, priority_weight, updated_at, state, queued_by_job_id)
       VALUES ('d', 'r1', 't', -1, 1, 0, 'EmptyOperator', 'default_pool', 1, 'default', 1, ?, 'restarting', 7)`,
      [NOW.toISOString()],
    );
    expect((await ask({ r: restartingTriesOf(8) })).r).toBe(false);
    expect((await ask({ r: restartingTriesOf(7) })).r).toBe(true);
  });

  it("finds this scheduler's tries running on its host since before the threshold only", async () => {
    const ds = db.dataSource;
    await insertRun(ds, 'r1', 'running');
    await execSql(
      ds,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
         queue, priority_weight, updated_at, state, queued_by_job_id, hostname, start_date)
       VALUES ('d', 'r1', 't', -1, 1, 0, 'EmptyOperator', 'default_pool', 1, 'default', 1, ?, 'running', 7, 'here', ?)`,
      [NOW.toISOString(), minutes(-10)],
    );
    const claims = (jobId: number, hostname: string, before: number) =>
      claimedLongAgo({ jobId, hostname, claimedBefore: new Date(minutes(before)) });
    expect((await ask({ c: claims(8, 'here', -5) })).c).toBe(false);
    expect((await ask({ c: claims(7, 'elsewhere', -5) })).c).toBe(false);
    expect((await ask({ c: claims(7, 'here', -15) })).c).toBe(false);
    expect((await ask({ c: claims(7, 'here', -5) })).c).toBe(true);
  });

  it('finds backfills neither paused nor completed', async () => {
    const ds = db.dataSource;
    const backfill = (paused: boolean, completedAt: string | null) =>
      execSql(
        ds,
        `INSERT INTO backfill (dag_id, from_date, to_date, reverse, max_active_runs, rerun_failed_tasks, reset_dagruns,
           is_paused, cancelled, created_at, updated_at, completed_at)
         VALUES ('d', ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
        [
          minutes(-600),
          minutes(-60),
          false,
          false,
          false,
          paused,
          false,
          NOW.toISOString(),
          NOW.toISOString(),
          completedAt,
        ],
      );
    await backfill(true, null);
    await backfill(false, minutes(-1));
    expect((await ask({ b: backfillsToAdvance })).b).toBe(false);
    await backfill(false, null);
    expect((await ask({ b: backfillsToAdvance })).b).toBe(true);
  });

  it('finds dataset queues of active, unpaused DAGs only (a paused DAG keeps its queue for later)', async () => {
    const ds = db.dataSource;
    await seedDag(ds, makeDag('paused', [makeTask('t')]), { paused: true });
    const { records } = await execSql<{ id: number }>(
      ds,
      "INSERT INTO dataset (uri, created_at, updated_at) VALUES ('s3://x', ?, ?) RETURNING id",
      [NOW.toISOString(), NOW.toISOString()],
    );
    const queue = (dagId: string) =>
      execSql(ds, 'INSERT INTO dataset_dag_run_queue (dataset_id, target_dag_id, created_at) VALUES (?, ?, ?)', [
        Number(records[0].id),
        dagId,
        NOW.toISOString(),
      ]);
    await queue('paused');
    expect((await ask({ q: datasetQueueWaiting })).q).toBe(false);
    await queue('d');
    expect((await ask({ q: datasetQueueWaiting })).q).toBe(true);
  });
});
