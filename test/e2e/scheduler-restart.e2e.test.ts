import { execSql } from '../../src/db/sql';
import { openDatabase } from '../../src/db/data-source';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { dagctl, startDagctl, stopProcess } from '../helpers/cli';
import { finishedRunState } from '../helpers/run-queries';

const SLOW_DAG = `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('slow', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const slow = new BashOperator({ taskId: 'slow', bashCommand: 'sleep 3; echo done', retries: 0, dag });
const after = new FunctionOperator({ taskId: 'after', fn: () => 'after', dag });
slow.then(after);
export default dag;
`;

/**
 * Killing the scheduler (kill -9) mid-run and starting it again finishes the run: the try that was
 * running is lost to the platform and run again as a new try that does not use one of the task's
 * retries (it has none); nothing is lost or left running.
 */
describe.each(DATABASE_KINDS)('scheduler killed mid-run on %s', (kind) => {
  let db: TestDatabase;
  let home: TestHome;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url, env: { DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s' } });
    home.writeDag('slow.ts', SLOW_DAG);
    expect(dagctl(['initdb'], home.env).status).toBe(0);
  });

  afterAll(async () => {
    await db?.drop();
    home?.remove();
  });

  it('recovers the running task on restart and completes the run', async () => {
    const ds = await openDatabase(db.url);
    const tiState = async (taskId: string) => {
      const { records } = await execSql<{ state: string | null; try_number: number }>(
        ds,
        "SELECT state, try_number FROM task_instance WHERE dag_id = 'slow' AND run_id = 'r1' AND task_id = ?",
        [taskId],
      );
      return records[0];
    };
    try {
      const first = startDagctl(['scheduler'], home.env);
      await eventually(async () => dagctl(['dags', 'list', '-o', 'json'], home.env).stdout.includes('"slow"'), {
        what: 'the DAG to be parsed',
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      expect(dagctl(['trigger', 'slow', '-r', 'r1'], home.env).status).toBe(0);
      await eventually(async () => (await tiState('slow'))?.state === 'running', {
        what: 'slow to run',
        timeoutMs: 60_000,
      });
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      expect((await tiState('slow')).state).toBe('running');

      const second = startDagctl(['scheduler'], home.env);
      try {
        const run = await eventually(() => finishedRunState(ds, 'slow', 'r1'), {
          what: 'the run to finish',
          timeoutMs: 90_000,
          intervalMs: 200,
        });
        expect(run).toBe('success');
        expect(await tiState('slow')).toEqual({ state: 'success', try_number: 2 });
        expect((await tiState('after')).state).toBe('success');
        const { records: history } = await execSql<{ try_number: number; state: string; end_reason: string }>(
          ds,
          `SELECT try_number, state, end_reason FROM task_instance_history
           WHERE dag_id = 'slow' AND task_id = 'slow' ORDER BY try_number`,
        );
        expect(history[0]).toMatchObject({
          try_number: 1,
          state: 'up_for_retry',
          end_reason: 'lost to the platform (scheduler restart)',
        });
        const { records: counts } = await execSql<{ max_tries: number; platform_retries: number }>(
          ds,
          "SELECT max_tries, platform_retries FROM task_instance WHERE dag_id = 'slow' AND task_id = 'slow'",
        );
        expect(counts.map((c) => [Number(c.max_tries), Number(c.platform_retries)])).toEqual([[1, 1]]);
        const { records: stuck } = await execSql<{ n: number }>(
          ds,
          "SELECT COUNT(*) AS n FROM task_instance WHERE state IN ('running', 'queued')",
        );
        expect(Number(stuck[0].n)).toBe(0);
      } finally {
        await stopProcess(second.child);
      }
    } finally {
      await ds.destroy();
    }
  }, 180_000);

  if (kind === 'sqlite') {
    it('refuses a second scheduler on SQLite with a clear message', async () => {
      const first = startDagctl(['scheduler'], home.env);
      try {
        const ds = await openDatabase(db.url);
        try {
          await eventually(
            async () => {
              const { records } = await execSql<{ n: number }>(
                ds,
                "SELECT COUNT(*) AS n FROM job WHERE job_type = 'SchedulerJob' AND state = 'running'",
              );
              return Number(records[0].n) === 1;
            },
            { what: 'the first scheduler to start', timeoutMs: 60_000, intervalMs: 200 },
          );
        } finally {
          await ds.destroy();
        }
        const second = dagctl(['scheduler', '-n', '1'], home.env);
        expect(second.status).not.toBe(0);
        expect(second.stderr.trim().split('\n')).toHaveLength(1);
        expect(second.stderr).toMatch(/another scheduler is running.*SQLite/);
      } finally {
        await stopProcess(first.child);
      }
    }, 120_000);
  }
});
