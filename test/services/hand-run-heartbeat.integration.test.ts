import { execSql } from '../../src/db/sql';
import { endJob, startJob } from '../../src/db/transitions/job-transitions';
import { HeartbeatThreadUnavailable, startHandRunHeartbeat } from '../../src/services/hand-run-heartbeat';
import { eventually } from '../helpers/eventually';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';

/**
 * The heartbeat thread of a hand run (started from dist/: `npm run build` first). That it beats
 * while the task blocks the event loop is test/e2e/tasks-run-heartbeat.e2e.test.ts; that a fenced
 * hand run stops its task is test/e2e/tasks-run-fenced.e2e.test.ts.
 */
const THREAD = { intervalMs: 100, fenceAfterMs: 60_000, ackGraceMs: 60_000 };

describe.each(DATABASE_KINDS)('hand run heartbeat thread on %s', (kind) => {
  it('beats the job through its own connection until stopped', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    try {
      const started = new Date(Date.now() - 60_000);
      const id = await startJob(ds, 'LocalTaskJob', null, started);
      const onFenced = jest.fn();
      const heartbeat = await startHandRunHeartbeat({ ...THREAD, databaseUrl: db.url, jobId: id, onFenced });
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
        databaseUrl: db.url,
        jobId: id,
        onFenced: (reason) => reasons.push(reason),
      });
      await execSql(ds, `UPDATE job SET state = 'failed' WHERE id = ?`, [id]);
      await eventually(() => reasons.length > 0, { what: 'the fence' });
      await heartbeat.stop();
      expect(reasons).toEqual([`job ${id} is no longer running in the database`]);
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
        databaseUrl: db.url,
        jobId: id,
        onFenced: (reason) => reasons.push(reason),
      });
      // No such task instance runs for this job (as after a scheduler ended the try, or a clear).
      heartbeat.claimed({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 }, 1);
      await eventually(() => reasons.length > 0, { what: 'the fence' });
      await heartbeat.stop();
      expect(reasons).toEqual([`its task instance no longer runs try 1 for job ${id}`]);
      await endJob(ds, id, 'failed', new Date());
    } finally {
      await close();
    }
  });
});

describe('hand run heartbeat thread whose beats fail', () => {
  it('fences the hand run once no beat succeeded for fenceAfterMs', async () => {
    const reasons: string[] = [];
    // An empty SQLite database opens, but has no job table: every beat fails.
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/dagctl-beat-'));
    const heartbeat = await startHandRunHeartbeat({
      databaseUrl: `sqlite://${dir}/empty.db`,
      jobId: 1,
      intervalMs: 50,
      fenceAfterMs: 400,
      ackGraceMs: 60_000,
      onFenced: (reason) => reasons.push(reason),
    });
    await eventually(() => reasons.length > 0, { what: 'the fence' });
    await heartbeat.stop();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^no heartbeat of job 1 written for \d+ s \(last error: .*job/);
  });
});

describe('hand run heartbeat thread that cannot open the database', () => {
  it('refuses to start: a beat from the event loop would fall silent while a task blocks it', async () => {
    await expect(
      startHandRunHeartbeat({
        ...THREAD,
        // Not a folder: the thread cannot create the database file.
        databaseUrl: 'sqlite:///dev/null/dagctl.db',
        jobId: 1,
        onFenced: () => undefined,
      }),
    ).rejects.toThrow(HeartbeatThreadUnavailable);
  });
});
