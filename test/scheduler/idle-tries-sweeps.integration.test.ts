import os from 'node:os';
import type { DataSource } from 'typeorm';
import type { Executor } from '../../src/core/executor';
import type { TaskInstanceKey } from '../../src/core/task-instance-key';
import { execSql } from '../../src/db/sql';
import { finishRestartsNotRunning } from '../../src/scheduler/finish-restarts';
import { requeueStuckQueued } from '../../src/scheduler/requeue-stuck-queued';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { DATABASE_KINDS } from '../helpers/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);
const TASKS = ['lost', 'known', 'recent', 'others'];

type TryRef = { key: TaskInstanceKey; tryNumber: number };

/** The sweeps only ask an executor which tries it runs: this one runs the given ones. */
function executorRunning(tries: TryRef[]): Executor {
  return {
    name: 'runs-given-tries',
    start: async () => undefined,
    queueWorkload: () => undefined,
    slotsAvailable: () => 0,
    drainEvents: () => [],
    onEvent: () => undefined,
    runningKeys: () => tries,
    end: async () => undefined,
    terminate: async () => undefined,
  };
}

const tryOf = (taskId: string): TryRef => ({ key: { dagId: 'd', runId: 'r', taskId, mapIndex: -1 }, tryNumber: 1 });

async function insertJob(ds: DataSource): Promise<number> {
  const { records } = await execSql<{ id: number }>(
    ds,
    'INSERT INTO job (job_type, state, hostname, pid, executor_class, start_date, latest_heartbeat) ' +
      "VALUES ('SchedulerJob', 'running', ?, ?, 'local', ?, ?) RETURNING id",
    [os.hostname(), process.pid, NOW.toISOString(), NOW.toISOString()],
  );
  return Number(records[0].id);
}

async function insertTry(ds: DataSource, taskId: string, state: string, jobId: number, queuedAt: Date): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
       queue, priority_weight, updated_at, state, queued_dttm, queued_by_job_id)
     VALUES ('d', 'r', ?, -1, 1, 0, 'FunctionOperator', 'default_pool', 1, 'default', 1, ?, ?, ?, ?)`,
    [taskId, NOW.toISOString(), state, queuedAt.toISOString(), jobId],
  );
}

async function rows(ds: DataSource): Promise<Record<string, { state: string | null; try_number: number }>> {
  const { records } = await execSql<{ task_id: string; state: string | null; try_number: number }>(
    ds,
    'SELECT task_id, state, try_number FROM task_instance ORDER BY task_id',
  );
  return Object.fromEntries(records.map((r) => [r.task_id, { state: r.state, try_number: Number(r.try_number) }]));
}

/**
 * The scheduler's sweeps over its own tries: those in a state, queued by this scheduler, that its
 * executor does not run — each moved by its guarded transition.
 */
describe.each(DATABASE_KINDS)("the scheduler's sweeps over its idle tries (%s)", (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  let myJob: number;
  let otherJob: number;

  beforeEach(async () => {
    const ds = db.dataSource;
    await seedDag(
      ds,
      makeDag(
        'd',
        TASKS.map((t) => makeTask(t)),
      ),
    );
    await execSql(
      ds,
      'INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at) ' +
        "VALUES ('d', 'r', ?, 'running', 'manual', ?, ?)",
      [NOW.toISOString(), false, NOW.toISOString()],
    );
    myJob = await insertJob(ds);
    otherJob = await insertJob(ds);
  });

  it('requeueStuckQueued gives back only its own tries queued too long that the executor does not have', async () => {
    const ds = db.dataSource;
    await insertTry(ds, 'lost', 'queued', myJob, minutesAgo(20));
    await insertTry(ds, 'known', 'queued', myJob, minutesAgo(20));
    await insertTry(ds, 'recent', 'queued', myJob, minutesAgo(1));
    await insertTry(ds, 'others', 'queued', otherJob, minutesAgo(20));
    expect(await requeueStuckQueued(ds, executorRunning([tryOf('known')]), myJob, 10 * 60_000, NOW)).toBe(1);
    expect(await rows(ds)).toEqual({
      known: { state: 'queued', try_number: 1 },
      lost: { state: 'scheduled', try_number: 0 },
      others: { state: 'queued', try_number: 1 },
      recent: { state: 'queued', try_number: 1 },
    });
    expect(await requeueStuckQueued(ds, executorRunning([]), myJob, 10 * 60_000, NOW)).toBe(1);
    expect((await rows(ds)).known).toEqual({ state: 'scheduled', try_number: 0 });
  });

  it('finishRestartsNotRunning lets only its own restarting tries the executor no longer has run again', async () => {
    const ds = db.dataSource;
    await insertTry(ds, 'lost', 'restarting', myJob, minutesAgo(1));
    await insertTry(ds, 'known', 'restarting', myJob, minutesAgo(1));
    await insertTry(ds, 'recent', 'queued', myJob, minutesAgo(1));
    await insertTry(ds, 'others', 'restarting', otherJob, minutesAgo(1));
    expect(await finishRestartsNotRunning(ds, executorRunning([tryOf('known')]), myJob, NOW)).toBe(1);
    expect(await rows(ds)).toEqual({
      known: { state: 'restarting', try_number: 1 },
      lost: { state: null, try_number: 1 },
      others: { state: 'restarting', try_number: 1 },
      recent: { state: 'queued', try_number: 1 },
    });
    expect(await finishRestartsNotRunning(ds, executorRunning([]), myJob, NOW)).toBe(1);
    expect(await finishRestartsNotRunning(ds, executorRunning([]), myJob, NOW)).toBe(0);
  });
});
