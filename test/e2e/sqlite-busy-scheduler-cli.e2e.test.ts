import { execFile } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';
import type { TestHome } from '../helpers/dagctl-home';
import { InitializedCliHome, initializeCliHome } from '../helpers/initialized-cli-home';
import { eventually } from '../helpers/eventually';
import { CLI, CliResult, dagctl, startDagctl, stopProcess } from '../helpers/cli';

jest.setTimeout(300_000);

const BUSY_TASKS = 30;
const BUSY_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('busy', { schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveRuns: 10 });
for (let i = 0; i < ${BUSY_TASKS}; i++) new BashOperator({ taskId: 't' + i, bashCommand: 'true', dag });
export default dag;
`;
const DAILY_DAG = `
import { DAG, EmptyOperator } from 'dagctl';
const dag = new DAG('daily', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z', catchup: false });
new EmptyOperator({ taskId: 'noop', dag });
export default dag;
`;

/** `dagctl …` without waiting (spawnSync would run the processes one after another). */
function dagctlAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd: env.DAGCTL_HOME, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

// Regression (issue 11): on SQLite 3 of 10 `dags backfill` runs failed with "database is locked"
// while the scheduler was busy: a deferred BEGIN could not upgrade to a writer.
describe('SQLite: CLI writes beside a busy scheduler', () => {
  let cli: InitializedCliHome;
  let home: TestHome;
  let ds: DataSource;

  beforeAll(async () => {
    cli = await initializeCliHome('sqlite', { dags: () => ({ 'busy.ts': BUSY_DAG, 'daily.ts': DAILY_DAG }) });
    ({ home, ds } = cli);
  });
  afterAll(() => cli?.close());

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await execSql<{ n: number }>(ds, sql, params)).records[0].n);

  it('10 concurrent backfill and trigger commands all succeed', async () => {
    const scheduler = startDagctl(['scheduler'], home.env);
    try {
      await eventually(async () => (await count('SELECT COUNT(*) AS n FROM dag WHERE is_active = ?', [true])) === 2, {
        what: 'both DAGs to be parsed',
        timeoutMs: 60_000,
      });
      for (const n of [1, 2, 3]) expect(dagctl(['trigger', 'busy', '-r', `warm${n}`], home.env).status).toBe(0);
      await eventually(
        async () => (await count("SELECT COUNT(*) AS n FROM task_instance WHERE state = 'success'")) > 0,
        { what: 'the scheduler to be running tasks', timeoutMs: 60_000 },
      );

      const commands = Array.from({ length: 10 }, (_, i) =>
        // Backfills of distinct days: each creates its own run.
        i % 2 === 0
          ? ['dags', 'backfill', 'daily', '-s', `2026-02-1${i}`, '-e', `2026-02-1${i}`]
          : ['trigger', 'busy', '-r', `cli${i}`],
      );
      const results = await Promise.all(commands.map((args) => dagctlAsync(args, home.env)));
      const failed = results.flatMap((result, i) =>
        result.status === 0 ? [] : [`dagctl ${commands[i].join(' ')} exited ${result.status}: ${result.stderr}`],
      );
      expect(failed).toEqual([]);
      for (const result of results) expect(result.stderr).not.toMatch(/database is locked/);
      // Each backfill is recorded by its command; the scheduler creates its run.
      expect(await count('SELECT COUNT(*) AS n FROM backfill')).toBe(5);
      await eventually(
        async () => expect(await count("SELECT COUNT(*) AS n FROM dag_run WHERE run_type = 'backfill'")).toBe(5),
        { what: 'the scheduler to create the 5 backfill runs', timeoutMs: 60_000 },
      );
      expect(await count("SELECT COUNT(*) AS n FROM dag_run WHERE dag_id = 'busy'")).toBe(8);
      expect(scheduler.output()).not.toMatch(/database is locked/);
    } finally {
      await stopProcess(scheduler.child);
    }
  });

  // Regression (issue 11): `dags test` was sometimes picked up and run by a running scheduler.
  it('dags test runs its run alone while a scheduler runs beside it', async () => {
    const scheduler = startDagctl(['scheduler'], home.env);
    try {
      await eventually(async () => (await count('SELECT COUNT(*) AS n FROM dag WHERE is_active = ?', [true])) === 2, {
        what: 'both DAGs to be parsed',
        timeoutMs: 60_000,
      });
      const result = await dagctlAsync(['dags', 'test', 'busy', '2026-03-01T00:00:00Z', '-o', 'json'], home.env);
      expect(result.stderr).not.toMatch(/database is locked/);
      expect(result.status).toBe(0);
      const tested = JSON.parse(result.stdout) as { run_id: string; state: string };
      expect(tested.state).toBe('success');
      const runType = await execSql<{ run_type: string }>(ds, 'SELECT run_type FROM dag_run WHERE run_id = ?', [
        tested.run_id,
      ]);
      expect(runType.records).toEqual([{ run_type: 'test' }]);
      // The scheduler stamps every try it queues with its job id; the test queues its own without one.
      expect(
        await count('SELECT COUNT(*) AS n FROM task_instance WHERE run_id = ? AND queued_by_job_id IS NOT NULL', [
          tested.run_id,
        ]),
      ).toBe(0);
      expect(
        await count("SELECT COUNT(*) AS n FROM task_instance WHERE run_id = ? AND state = 'success'", [tested.run_id]),
      ).toBe(BUSY_TASKS);
    } finally {
      await stopProcess(scheduler.child);
    }
    expect(scheduler.output()).not.toMatch(/database is locked/);
  });
});
