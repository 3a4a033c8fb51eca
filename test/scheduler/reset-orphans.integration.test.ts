import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { execSql } from '../../src/db/sql';
import { heartbeatJob } from '../../src/db/transitions/job-transitions';
import { HAND_RUN_LOST_REASON } from '../../src/db/transitions/lost-to-platform';
import { createExecutor } from '../../src/executors/create-executor';
import type { Executor } from '../../src/core/executor';
import { DagViewCache } from '../../src/scheduler/dag-view-cache';
import { OrphanThresholds, resetOrphanedTasks } from '../../src/scheduler/reset-orphans';
import { resolveSchedulerOptions } from '../../src/scheduler/scheduler-options';
import { isProcessRunning } from '../../src/core/process-table';
import { processesOfTry } from '../../src/core/try-processes';
import { eventually } from '../helpers/eventually';
import { migratedDatabaseForEachTest } from '../helpers/migrated-database-for-each-test';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { killSpawned, spawnTryProcess } from '../helpers/spawn-try-process';
import { DATABASE_KINDS } from '../helpers/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

/** Thresholds as the scheduler takes them from the config. */
function thresholdsFrom(env: Record<string, string>): OrphanThresholds {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-orphans-'));
  const options = resolveSchedulerOptions(loadConfig({ DAGCTL_HOME: home, ...env }, home));
  fs.rmSync(home, { recursive: true, force: true });
  return {
    staleAfterMs: options.schedulerStaleAfterMs,
    zombieThresholdMs: options.zombieThresholdMs,
    maxPlatformRetries: options.maxPlatformRetries,
  };
}

async function insertJob(
  ds: DataSource,
  state: string,
  hostname: string,
  pid: number,
  heartbeat: Date,
  jobType: 'SchedulerJob' | 'LocalTaskJob' = 'SchedulerJob',
): Promise<number> {
  const { records } = await execSql<{ id: number }>(
    ds,
    'INSERT INTO job (job_type, state, hostname, pid, executor_class, start_date, latest_heartbeat) ' +
      "VALUES (?, ?, ?, ?, 'local', ?, ?) RETURNING id",
    [jobType, state, hostname, pid, heartbeat.toISOString(), heartbeat.toISOString()],
  );
  return Number(records[0].id);
}

async function insertTry(
  ds: DataSource,
  taskId: string,
  state: 'queued' | 'running' | 'restarting',
  jobId: number,
  where: { hostname: string; pid: number } | null = null,
): Promise<void> {
  await execSql(
    ds,
    `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots,
       queue, priority_weight, updated_at, state, queued_dttm, queued_by_job_id, start_date, hostname, pid)
     VALUES ('d', 'r', ?, -1, 1, 1, 'FunctionOperator', 'default_pool', 1, 'default', 1, ?, ?, ?, ?, ?, ?, ?)`,
    [
      taskId,
      NOW.toISOString(),
      state,
      NOW.toISOString(),
      jobId,
      state === 'queued' ? null : NOW.toISOString(),
      where?.hostname ?? null,
      where?.pid ?? null,
    ],
  );
}

async function retryCounts(ds: DataSource, taskId: string): Promise<{ max_tries: number; platform_retries: number }> {
  const { records } = await execSql<{ max_tries: number; platform_retries: number }>(
    ds,
    'SELECT max_tries, platform_retries FROM task_instance WHERE task_id = ?',
    [taskId],
  );
  return { max_tries: Number(records[0].max_tries), platform_retries: Number(records[0].platform_retries) };
}

async function jobState(ds: DataSource, id: number): Promise<string> {
  const { records } = await execSql<{ state: string }>(ds, 'SELECT state FROM job WHERE id = ?', [id]);
  return records[0].state;
}

async function tryRow(
  ds: DataSource,
  taskId: string,
): Promise<{ state: string | null; queued_by_job_id: number | null }> {
  const { records } = await execSql<{ state: string | null; queued_by_job_id: number | null }>(
    ds,
    'SELECT state, queued_by_job_id FROM task_instance WHERE task_id = ?',
    [taskId],
  );
  const row = records[0];
  return { state: row.state, queued_by_job_id: row.queued_by_job_id === null ? null : Number(row.queued_by_job_id) };
}

async function endReasons(ds: DataSource, taskId: string): Promise<string[]> {
  const { records } = await execSql<{ end_reason: string }>(
    ds,
    'SELECT end_reason FROM task_instance_history WHERE task_id = ? ORDER BY try_number',
    [taskId],
  );
  return records.map((r) => r.end_reason);
}

/** The pid of a process that has exited (and been reaped): what a killed `tasks run` leaves. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function states(ds: DataSource): Promise<Record<string, string>> {
  const { records } = await execSql<{ task_id: string; state: string }>(
    ds,
    `SELECT task_id, state FROM task_instance ORDER BY task_id`,
  );
  return Object.fromEntries(records.map((r) => [r.task_id, r.state]));
}

/**
 * scheduler.zombie_threshold: a running try of a scheduler that is gone is failed (or retried)
 * only once that scheduler has been silent that long; its queued tries go back at once.
 */
describe.each(DATABASE_KINDS)('resetOrphanedTasks on %s', (kind) => {
  const db = migratedDatabaseForEachTest(kind);
  let executor: Executor;
  let myJob: number;

  beforeEach(async () => {
    const ds = db.dataSource;
    await seedDag(ds, makeDag('d', [makeTask('queued_one'), makeTask('running_one', [], { retries: 1 })]));
    await execSql(
      ds,
      'INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger, updated_at) ' +
        "VALUES ('d', 'r', ?, 'running', 'manual', ?, ?)",
      [NOW.toISOString(), false, NOW.toISOString()],
    );
    myJob = await insertJob(ds, 'running', os.hostname(), process.pid, NOW);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-orphans-'));
    executor = createExecutor('sequential', loadConfig({ DAGCTL_HOME: home }, home));
    fs.rmSync(home, { recursive: true, force: true });
  });
  afterEach(async () => executor.terminate());

  const reset = (thresholds: OrphanThresholds, now: Date) =>
    resetOrphanedTasks(db.dataSource, new DagViewCache(db.dataSource), executor, myJob, thresholds, now);

  it('gives back queued tries of a silent scheduler at once, fails its running ones after the threshold', async () => {
    const ds = db.dataSource;
    const other = await insertJob(ds, 'running', 'another-host', 4242, minutes(-1));
    await insertTry(ds, 'queued_one', 'queued', other);
    await insertTry(ds, 'running_one', 'running', other);
    const thresholds = thresholdsFrom({});
    expect(thresholds.zombieThresholdMs).toBe(300_000);

    expect(await reset(thresholds, NOW)).toBe(1);
    expect(await states(ds)).toEqual({ queued_one: 'scheduled', running_one: 'running' });
    const { records: job } = await execSql<{ state: string }>(ds, 'SELECT state FROM job WHERE id = ?', [other]);
    expect(job[0].state).toBe('failed');

    // Silent for 4 minutes: not yet a zombie.
    expect(await reset(thresholds, minutes(3))).toBe(0);
    expect((await states(ds)).running_one).toBe('running');
    // Silent for 5 minutes: lost to the platform, run again without using a retry.
    expect(await reset(thresholds, minutes(4))).toBe(1);
    expect((await states(ds)).running_one).toBe('up_for_retry');
    const { records: ended } = await execSql<{ end_reason: string }>(
      ds,
      "SELECT end_reason FROM task_instance_history WHERE task_id = 'running_one'",
    );
    expect(ended[0].end_reason).toBe('lost to the platform (scheduler restart)');
    expect(await retryCounts(ds, 'running_one')).toEqual({ max_tries: 2, platform_retries: 1 });
  });

  it('counts a lost try as a failure once scheduler.max_platform_retries are used up', async () => {
    const ds = db.dataSource;
    const thresholds = thresholdsFrom({ DAGCTL__SCHEDULER__MAX_PLATFORM_RETRIES: '1' });
    expect(thresholds.maxPlatformRetries).toBe(1);
    expect(thresholdsFrom({}).maxPlatformRetries).toBe(3);
    const first = await insertJob(ds, 'success', 'another-host', 4242, NOW);
    await insertTry(ds, 'running_one', 'running', first);
    expect(await reset(thresholds, NOW)).toBe(1);
    expect(await retryCounts(ds, 'running_one')).toEqual({ max_tries: 2, platform_retries: 1 });
    // Its next try (2 of 3 allowed) is lost too: now it uses one of its own retries.
    await execSql(
      ds,
      `UPDATE task_instance SET state = 'running', try_number = 2, queued_by_job_id = ? WHERE task_id = 'running_one'`,
      [first],
    );
    expect(await reset(thresholds, NOW)).toBe(1);
    expect((await states(ds)).running_one).toBe('up_for_retry');
    expect(await retryCounts(ds, 'running_one')).toEqual({ max_tries: 2, platform_retries: 1 });
    const { records } = await execSql<{ end_reason: string }>(
      ds,
      "SELECT end_reason FROM task_instance_history WHERE task_id = 'running_one' AND try_number = 2",
    );
    expect(records[0].end_reason).toMatch(/max_platform_retries \(1\) used up/);
  });

  it('runs a lost try again only once every process of it is gone', async () => {
    const ds = db.dataSource;
    const dead = await insertJob(ds, 'success', os.hostname(), 4242, NOW);
    // A task process left by the dead scheduler: its own session, as task processes are spawned.
    const left = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    try {
      await insertTry(ds, 'running_one', 'running', dead, { hostname: os.hostname(), pid: left.pid! });
      expect(await reset(thresholdsFrom({}), NOW)).toBe(0);
      expect((await states(ds)).running_one).toBe('running');
    } finally {
      left.kill('SIGKILL');
      await new Promise((resolve) => left.once('exit', resolve));
    }
    expect(await reset(thresholdsFrom({}), NOW)).toBe(1);
    expect((await states(ds)).running_one).toBe('up_for_retry');
  });

  it('takes the threshold from scheduler.zombie_threshold (a bare number is seconds)', async () => {
    const ds = db.dataSource;
    const other = await insertJob(ds, 'running', 'another-host', 4242, minutes(-1));
    await insertTry(ds, 'running_one', 'running', other);
    expect(await reset(thresholdsFrom({ DAGCTL__SCHEDULER__ZOMBIE_THRESHOLD: '120' }), NOW)).toBe(0);
    expect(await reset(thresholdsFrom({ DAGCTL__SCHEDULER__ZOMBIE_THRESHOLD: '45' }), NOW)).toBe(1);
    expect((await states(ds)).running_one).toBe('up_for_retry');
  });

  it('does not wait for the threshold when the scheduler ended cleanly', async () => {
    const ds = db.dataSource;
    const ended = await insertJob(ds, 'success', 'another-host', 4242, NOW);
    await insertTry(ds, 'running_one', 'running', ended);
    expect(await reset(thresholdsFrom({}), NOW)).toBe(1);
    expect((await states(ds)).running_one).toBe('up_for_retry');
  });

  describe('a try run by hand (tasks run, a LocalTaskJob)', () => {
    const here = os.hostname();

    it('is lost at once when its process is known dead on this host; its job is marked failed', async () => {
      const ds = db.dataSource;
      const pid = await deadPid();
      const job = await insertJob(ds, 'running', here, pid, NOW, 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'running', job, { hostname: here, pid });
      expect(await reset(thresholdsFrom({}), NOW)).toBe(1);
      expect((await states(ds)).running_one).toBe('up_for_retry');
      expect(await jobState(ds, job)).toBe('failed');
      expect(await endReasons(ds, 'running_one')).toEqual([HAND_RUN_LOST_REASON]);
      // As any try lost to the platform: run again without using one of the task's retries.
      expect(await retryCounts(ds, 'running_one')).toEqual({ max_tries: 2, platform_retries: 1 });
    });

    it('has the bash it left running killed first (found by its environment), then is lost', async () => {
      const ds = db.dataSource;
      const pid = await deadPid();
      const job = await insertJob(ds, 'running', here, pid, NOW, 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'running', job, { hostname: here, pid });
      // A BashOperator's bash outlives a `tasks run` killed with SIGKILL: a session of its own.
      const key = { dagId: 'd', runId: 'r', taskId: 'running_one', mapIndex: -1 };
      const bash = spawnTryProcess(key, 1, pid);
      // The same try of another deployment on this host (its supervisor another pid): left alone.
      const other = spawnTryProcess(key, 1, pid + 1);
      try {
        await eventually(() => processesOfTry(key, 1, pid).length === 1, {
          what: 'the bash to carry the try environment',
        });
        // Its supervisor is dead: the bash is killed, and the try stays running while it may still run.
        expect(await reset(thresholdsFrom({}), NOW)).toBe(0);
        expect((await states(ds)).running_one).toBe('running');
        await eventually(() => !isProcessRunning(bash.pid!), { what: 'the bash to be killed' });
        expect(await reset(thresholdsFrom({}), NOW)).toBe(1);
        expect((await states(ds)).running_one).toBe('up_for_retry');
        expect(await endReasons(ds, 'running_one')).toEqual([HAND_RUN_LOST_REASON]);
        expect(isProcessRunning(other.pid!)).toBe(true);
      } finally {
        await Promise.all([bash, other].map(killSpawned));
      }
    });

    it('is left running while its job heartbeats, and lost once silent for scheduler.zombie_threshold', async () => {
      const ds = db.dataSource;
      const job = await insertJob(ds, 'running', 'another-host', 4242, NOW, 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'running', job, { hostname: 'another-host', pid: 4242 });
      const thresholds = thresholdsFrom({});
      expect(await reset(thresholds, minutes(4))).toBe(0);
      // It beats (written as `tasks run` writes it, dated four minutes on): still alive at 8.
      await heartbeatJob(ds, job, minutes(4));
      expect(await reset(thresholds, minutes(8))).toBe(0);
      expect((await states(ds)).running_one).toBe('running');
      expect(await jobState(ds, job)).toBe('running');
      // Silent for five minutes: gone.
      expect(await reset(thresholds, minutes(9))).toBe(1);
      expect((await states(ds)).running_one).toBe('up_for_retry');
      expect(await jobState(ds, job)).toBe('failed');
      expect(await endReasons(ds, 'running_one')).toEqual([HAND_RUN_LOST_REASON]);
    });

    it("is left running while its job beats from a pid this scheduler may not signal (another user's)", async () => {
      const ds = db.dataSource;
      const pid = await deadPid();
      // As for a process of another OS user: it exists, but signalling it is not permitted.
      const kill = process.kill.bind(process);
      const spy = jest.spyOn(process, 'kill').mockImplementation((target, signal) => {
        if (target === pid) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
        return kill(target, signal);
      });
      try {
        const job = await insertJob(ds, 'running', here, pid, NOW, 'LocalTaskJob');
        await insertTry(ds, 'running_one', 'running', job, { hostname: here, pid });
        expect(await reset(thresholdsFrom({}), minutes(1))).toBe(0);
        expect((await states(ds)).running_one).toBe('running');
        expect(await jobState(ds, job)).toBe('running');
      } finally {
        spy.mockRestore();
      }
    });

    it('is never ended while its tasks run process runs on this host, however silent', async () => {
      const ds = db.dataSource;
      // Stands for a `tasks run` whose event loop a task blocks: alive, heartbeat stale, no session of its own.
      const running = spawn('sleep', ['60'], { stdio: 'ignore' });
      try {
        const job = await insertJob(ds, 'running', here, running.pid!, NOW, 'LocalTaskJob');
        await insertTry(ds, 'running_one', 'running', job, { hostname: here, pid: running.pid! });
        expect(await reset(thresholdsFrom({}), minutes(10))).toBe(0);
        expect((await states(ds)).running_one).toBe('running');
      } finally {
        running.kill('SIGKILL');
        await new Promise((resolve) => running.once('exit', resolve));
      }
      expect(await reset(thresholdsFrom({}), minutes(10))).toBe(1);
      expect((await states(ds)).running_one).toBe('up_for_retry');
    });

    it('is gone when its job ended but left the try running', async () => {
      const ds = db.dataSource;
      const job = await insertJob(ds, 'success', 'another-host', 4242, NOW, 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'running', job, { hostname: 'another-host', pid: 4242 });
      expect(await reset(thresholdsFrom({}), NOW)).toBe(1);
      expect((await states(ds)).running_one).toBe('up_for_retry');
    });

    it('runs again once its hand run is gone when it was cleared while running', async () => {
      const ds = db.dataSource;
      const job = await insertJob(ds, 'running', 'another-host', 4242, minutes(-10), 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'restarting', job, { hostname: 'another-host', pid: 4242 });
      expect(await reset(thresholdsFrom({}), NOW)).toBe(1);
      expect((await states(ds)).running_one).toBeNull();
    });

    it("is not adopted by an executor that adopts a gone scheduler's tries: it is lost", async () => {
      const ds = db.dataSource;
      const adopting = Object.assign(Object.create(executor) as Executor, { adoptsOrphans: true as const });
      const scheduler = await insertJob(ds, 'failed', 'another-host', 4242, minutes(-10));
      await insertTry(ds, 'queued_one', 'running', scheduler, { hostname: 'another-host', pid: 4343 });
      const hand = await insertJob(ds, 'running', 'another-host', 4444, minutes(-10), 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'running', hand, { hostname: 'another-host', pid: 4444 });
      const thresholds = thresholdsFrom({});
      expect(await resetOrphanedTasks(ds, new DagViewCache(ds), adopting, myJob, thresholds, NOW)).toBe(2);
      expect(await tryRow(ds, 'queued_one')).toEqual({ state: 'running', queued_by_job_id: myJob });
      expect(await tryRow(ds, 'running_one')).toEqual({ state: 'up_for_retry', queued_by_job_id: hand });
      expect(await endReasons(ds, 'running_one')).toEqual([HAND_RUN_LOST_REASON]);
    });

    it('leaves a live hand run alone: its job, its try', async () => {
      const ds = db.dataSource;
      const job = await insertJob(ds, 'running', 'another-host', 4242, NOW, 'LocalTaskJob');
      await insertTry(ds, 'running_one', 'running', job, { hostname: 'another-host', pid: 4242 });
      const adopting = Object.assign(Object.create(executor) as Executor, { adoptsOrphans: true as const });
      expect(await resetOrphanedTasks(ds, new DagViewCache(ds), adopting, myJob, thresholdsFrom({}), NOW)).toBe(0);
      expect(await reset(thresholdsFrom({}), NOW)).toBe(0);
      expect(await tryRow(ds, 'running_one')).toEqual({ state: 'running', queued_by_job_id: job });
      expect(await jobState(ds, job)).toBe('running');
    });
  });
});
