import { execSql } from '../../src/db/sql';
import { endJob, startJob } from '../../src/db/transitions/job-transitions';
import { startHandRunHeartbeat } from '../../src/services/hand-run-heartbeat';
import { eventually } from '../helpers/eventually';
import { DATABASE_KINDS, openMigratedTestDatabase } from '../helpers/test-database';

/**
 * The heartbeat thread of a hand run (started from dist/: `npm run build` first). That it beats
 * while the task blocks the event loop is test/e2e/tasks-run-heartbeat.e2e.test.ts.
 */
describe.each(DATABASE_KINDS)('hand run heartbeat thread on %s', (kind) => {
  it('beats the job through its own connection until stopped', async () => {
    const { db, dataSource: ds, close } = await openMigratedTestDatabase(kind);
    try {
      const started = new Date(Date.now() - 60_000);
      const id = await startJob(ds, 'LocalTaskJob', null, started);
      const beatHere = jest.fn(() => Promise.reject(new Error('the thread beats, not this one')));
      const heartbeat = await startHandRunHeartbeat({ databaseUrl: db.url, jobId: id, intervalMs: 100, beatHere });
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
      expect(beatHere).not.toHaveBeenCalled();
    } finally {
      await close();
    }
  });
});

describe('hand run heartbeat thread that cannot open the database', () => {
  it('leaves the beat to the event loop, and stop ends it', async () => {
    let beats = 0;
    const heartbeat = await startHandRunHeartbeat({
      // Not a folder: the thread cannot create the database file.
      databaseUrl: 'sqlite:///dev/null/dagctl.db',
      jobId: 1,
      intervalMs: 100,
      beatHere: async () => {
        beats++;
      },
    });
    await eventually(() => beats >= 2, { what: 'beats from the event loop instead' });
    await heartbeat.stop();
    const afterStop = beats;
    await heartbeat.stop();
    expect(beats).toBe(afterStop);
  });
});
