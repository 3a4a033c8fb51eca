import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessRunning } from '../../src/core/process-table';
import { execSql } from '../../src/db/sql';
import { endJob, startJob } from '../../src/db/transitions/job-transitions';
import { HeartbeatThreadUnavailable, startHandRunHeartbeat } from '../../src/services/hand-run-heartbeat';
import { REPO_ROOT } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';

/**
 * The heartbeat thread of a hand run (started from dist/: `npm run build` first). That it beats
 * while the task blocks the event loop is test/e2e/tasks-run-heartbeat.e2e.test.ts; that a fenced
 * hand run stops its task is test/e2e/tasks-run-stopped.e2e.test.ts.
 */
const THREAD = { intervalMs: 100, fenceAfterMs: 60_000, ackGraceMs: 60_000, stopGraceMs: 60_000 };

describe.each(DATABASE_KINDS)('hand run heartbeat thread on %s', (kind) => {
  it('beats the job through its own connection until stopped', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    try {
      const started = new Date(Date.now() - 60_000);
      const id = await startJob(ds, 'LocalTaskJob', null, started);
      const onFenced = jest.fn();
      const heartbeat = await startHandRunHeartbeat({
        ...THREAD,
        lastBeatAtMs: Date.now(),
        databaseUrl: db.url,
        jobId: id,
        onFenced,
      });
      const latest = async () => {
        const { records } = await execSql<{ latest_heartbeat: string }>(
          ds,
          'SELECT latest_heartbeat FROM job WHERE id = ?',
          [id],
        );
        return new Date(records[0].latest_heartbeat).getTime();
      };
      await eventually(async () => (await latest()) > started.getTime(), { what: 'a beat from the thread' });
      await heartbeat.stop();
      await heartbeat.stop(); // a second stop does nothing
      await endJob(ds, id, 'success', new Date());
      expect(onFenced).not.toHaveBeenCalled();
    } finally {
      await close();
    }
  });

  it('fences the hand run once a scheduler marked its job failed', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    try {
      const id = await startJob(ds, 'LocalTaskJob', null, new Date());
      const reasons: string[] = [];
      const heartbeat = await startHandRunHeartbeat({
        ...THREAD,
        lastBeatAtMs: Date.now(),
        databaseUrl: db.url,
        jobId: id,
        onFenced: (reason) => reasons.push(reason),
      });
      await execSql(ds, `UPDATE job SET state = 'failed' WHERE id = ?`, [id]);
      await eventually(() => reasons.length > 0, { what: 'the fence' });
      await heartbeat.stop();
      expect(reasons).toEqual([`job ${id} is no longer running in the database: a scheduler took it for dead`]);
    } finally {
      await close();
    }
  });

  it('fences the hand run once its try no longer belongs to its job', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    try {
      const id = await startJob(ds, 'LocalTaskJob', null, new Date());
      const reasons: string[] = [];
      const heartbeat = await startHandRunHeartbeat({
        ...THREAD,
        lastBeatAtMs: Date.now(),
        databaseUrl: db.url,
        jobId: id,
        onFenced: (reason) => reasons.push(reason),
      });
      // No such task instance runs for this job (as after a scheduler ended the try, or a clear).
      heartbeat.claimed({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 }, 1);
      await eventually(() => reasons.length > 0, { what: 'the fence' });
      await heartbeat.stop();
      expect(reasons).toEqual([
        `its task instance no longer runs try 1 for job ${id}: a scheduler or a user ended, cleared or took it`,
      ]);
      await endJob(ds, id, 'failed', new Date());
    } finally {
      await close();
    }
  });
  it("counts the silence from the job's last recorded beat, not from the thread's start", async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    try {
      // The job's start was written 10 s ago (its database took that long to open for the thread).
      const startedAt = Date.now() - 10_000;
      const id = await startJob(ds, 'LocalTaskJob', null, new Date(startedAt));
      const reasons: string[] = [];
      const heartbeat = await startHandRunHeartbeat({
        ...THREAD,
        fenceAfterMs: 5_000,
        lastBeatAtMs: startedAt,
        databaseUrl: db.url,
        jobId: id,
        onFenced: (reason) => reasons.push(reason),
      });
      await eventually(() => reasons.length > 0, { what: 'the fence' });
      await heartbeat.stop();
      expect(reasons).toEqual([
        expect.stringMatching(new RegExp(`^no heartbeat of job ${id} written for 1\\d s; a scheduler will soon`)),
      ]);
      await endJob(ds, id, 'failed', new Date());
    } finally {
      await close();
    }
  });

  /**
   * A hand run in a process of its own (the thread kills its process): it answers the fence (the
   * wrapper posts the ack before calling onFenced), then blocks its event loop for 1.5 s — as a
   * task could right after being aborted — and ends (`stop`). `settleFirst`: it says its task
   * settled before blocking. It has a child, which must go with it when it is killed.
   */
  const startFencedHandRun = (databaseUrl: string, jobId: number, settleFirst: boolean) => {
    const entry = JSON.stringify(path.join(REPO_ROOT, 'dist/services/hand-run-heartbeat.js'));
    const script = `
      const { spawn } = require('node:child_process');
      const { startHandRunHeartbeat } = require(${entry});
      const child = spawn('sleep', ['600'], { stdio: 'ignore' });
      const alive = setInterval(() => undefined, 1000);
      let heartbeat;
      startHandRunHeartbeat({
        databaseUrl: ${JSON.stringify(databaseUrl)}, jobId: ${jobId}, intervalMs: 50, fenceAfterMs: 60000,
        ackGraceMs: 60000, stopGraceMs: 500, lastBeatAtMs: Date.now(),
        onFenced: () => {
          if (${settleFirst}) heartbeat.settled();
          const until = Date.now() + 1500;
          while (Date.now() < until) {}
          child.kill('SIGKILL');
          heartbeat.stop().then(() => clearInterval(alive));
        },
      }).then((started) => {
        heartbeat = started;
        process.stdout.write('ready ' + child.pid + '\\n');
      });`;
    const hand = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    hand.stdout.on('data', (d) => (stdout += d));
    hand.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      hand.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const childPid = eventually(
      () => {
        const ready = /ready (\d+)/.exec(stdout);
        expect(ready).not.toBeNull();
        return Number(ready![1]);
      },
      { what: 'the hand run to start beating' },
    );
    return { hand, exited, childPid, stderr: () => stderr };
  };

  it('kills the process when its task has not stopped within stopGraceMs of answering a fence', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    const id = await startJob(ds, 'LocalTaskJob', null, new Date());
    const run = startFencedHandRun(db.url, id, false);
    const childPid = await run.childPid;
    try {
      await execSql(ds, `UPDATE job SET state = 'failed' WHERE id = ?`, [id]);
      expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(run.stderr()).toContain(
        `dagctl tasks run: job ${id} is no longer running in the database: a scheduler took it for dead; ` +
          'the task did not stop within 500ms, killing the process',
      );
      await eventually(() => expect(isProcessRunning(childPid)).toBe(false), {
        what: "the hand run's child to be gone",
      });
    } finally {
      if (run.hand.exitCode === null && run.hand.signalCode === null) run.hand.kill('SIGKILL');
      if (isProcessRunning(childPid)) process.kill(childPid, 'SIGKILL');
      await close();
    }
  });

  it('leaves the process alone once its task settled, however long the hand run then takes', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    const id = await startJob(ds, 'LocalTaskJob', null, new Date());
    const run = startFencedHandRun(db.url, id, true);
    const childPid = await run.childPid;
    try {
      await execSql(ds, `UPDATE job SET state = 'failed' WHERE id = ?`, [id]);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stderr()).not.toContain('killing the process');
    } finally {
      if (run.hand.exitCode === null && run.hand.signalCode === null) run.hand.kill('SIGKILL');
      if (isProcessRunning(childPid)) process.kill(childPid, 'SIGKILL');
      await close();
    }
  });
});

describe('hand run heartbeat thread whose beats fail', () => {
  it('fences the hand run once no beat succeeded for fenceAfterMs', async () => {
    const reasons: string[] = [];
    // An empty SQLite database opens, but has no job table: every beat fails.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-beat-'));
    try {
      const heartbeat = await startHandRunHeartbeat({
        databaseUrl: `sqlite://${dir}/empty.db`,
        jobId: 1,
        intervalMs: 50,
        fenceAfterMs: 400,
        ackGraceMs: 60_000,
        stopGraceMs: 60_000,
        lastBeatAtMs: Date.now(),
        onFenced: (reason) => reasons.push(reason),
      });
      await eventually(() => reasons.length > 0, { what: 'the fence' });
      await heartbeat.stop();
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(
        /^no heartbeat of job 1 written for \d+ s \(last error: .*job.*\); a scheduler will soon take it for dead$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hand run heartbeat thread that cannot open the database', () => {
  it('refuses to start: a beat from the event loop would fall silent while a task blocks it', async () => {
    await expect(
      startHandRunHeartbeat({
        ...THREAD,
        lastBeatAtMs: Date.now(),
        // Not a folder: the thread cannot create the database file.
        databaseUrl: 'sqlite:///dev/null/dagctl.db',
        jobId: 1,
        onFenced: () => undefined,
      }),
    ).rejects.toThrow(HeartbeatThreadUnavailable);
  });
});
