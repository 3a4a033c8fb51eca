import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { execSql } from '../../src/db/sql';
import { CliResult, dagctl, startDagctl, stopProcess } from '../helpers/cli';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventually } from '../helpers/eventually';
import { finishedRunState } from '../helpers/run-queries';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

jest.setTimeout(240_000);

/**
 * `dagctl tasks hold|resume` and `dagctl dags pause --drain` as a user types them, with a
 * `dagctl scheduler` process running the DAG (SQLite, local executor).
 */
describe('tasks hold/resume and dags pause --drain from the CLI', () => {
  let db: TestDatabase;
  let home: TestHome;
  let ds: DataSource;
  let scheduler: ReturnType<typeof startDagctl> | null = null;
  const cli = (args: string[]): CliResult => dagctl(args, home.env);
  const ok = (args: string[]): string => {
    const result = cli(args);
    expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status: 0, stderr: '' });
    return result.stdout;
  };
  const refused = (args: string[], status: number, message: RegExp): void => {
    const result = cli(args);
    expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({
      status,
      stderr: expect.stringMatching(message),
    });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  };
  const states = async (): Promise<Record<string, string | null>> => {
    const { records } = await execSql<{ task_id: string; state: string | null }>(
      ds,
      `SELECT task_id, state FROM task_instance WHERE dag_id = 'holding' AND run_id = 'r1'`,
    );
    return Object.fromEntries(records.map((r) => [r.task_id, r.state]));
  };

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    home = createTestHome({ databaseUrl: db.url, env: { DAGCTL__CORE__EXECUTOR: 'local' } });
    const release = path.join(home.home, 'go');
    home.writeDag(
      'holding.ts',
      `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('holding', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const wait = ${JSON.stringify(`while [ ! -f '${release}' ]; do sleep 0.1; done`)};
const start = new BashOperator({ taskId: 'start', bashCommand: wait, dag });
const a = new BashOperator({ taskId: 'a', bashCommand: 'true', dag });
const b = new BashOperator({ taskId: 'b', bashCommand: 'true', dag });
start.then([a, b]);
export default dag;
`,
    );
    expect(cli(['initdb']).status).toBe(0);
    ds = await openDatabase(db.url);
    scheduler = startDagctl(['scheduler'], home.env);
  });

  afterAll(async () => {
    if (home) fs.writeFileSync(path.join(home.home, 'go'), '');
    if (scheduler) await stopProcess(scheduler.child);
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
    home?.remove();
  });

  it('holds b while a finishes, explains why, refuses a finished task, and runs b after resume', async () => {
    ok(['trigger', 'holding', '-r', 'r1']);
    // The run's task instances exist once the scheduler starts it; start waits for the test.
    const held = await eventually(
      () => {
        const result = cli(['tasks', 'hold', 'holding', 'b', 'r1', '--reason', 'partner feed is late', '-o', 'json']);
        if (result.status !== 0) throw new Error(result.stderr);
        return JSON.parse(result.stdout) as Record<string, unknown>;
      },
      { what: 'b to be holdable', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(held).toMatchObject({ task_id: 'b', held: true, hold_reason: 'partner feed is late', changed: true });
    expect(held.held_by).toMatch(/^cli/);

    fs.writeFileSync(path.join(home.home, 'go'), '');
    await eventually(async () => expect(await states()).toEqual({ start: 'success', a: 'success', b: 'scheduled' }), {
      what: 'a to finish while b is held',
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    expect(ok(['tasks', 'failed-deps', 'holding', 'b', 'r1'])).toMatch(
      /^Task Instance Not Held: held by cli\S*: partner feed is late \(release it with 'dagctl tasks resume'\)\n$/,
    );
    refused(
      ['tasks', 'hold', 'holding', 'a', 'r1'],
      1,
      /'a' of run 'r1' of DAG 'holding' is success: only a task instance not queued yet/,
    );
    refused(['tasks', 'hold', 'holding', 'b', 'nope'], 1, /DAG run 'nope' of DAG 'holding' not found/);
    refused(['tasks', 'hold', 'holding', 'b', 'r1', '--map-index', 'x'], 2, /--map-index/);

    expect(ok(['tasks', 'resume', 'holding', 'b', 'r1'])).toBe("Task instance 'b' of run 'r1' resumed\n");
    await eventually(() => finishedRunState(ds, 'holding', 'r1'), { timeoutMs: 120_000, intervalMs: 200 });
    expect(await states()).toEqual({ start: 'success', a: 'success', b: 'success' });
    expect(ok(['tasks', 'resume', 'holding', 'b', 'r1'])).toBe(
      "Task instance 'b' of run 'r1' was not held (no change)\n",
    );
  });

  it('pauses with --drain: shown in dags list, manual triggers refused, unpause clears it', () => {
    expect(JSON.parse(ok(['dags', 'pause', '--drain', 'holding', '-o', 'json']))).toEqual({
      dag_id: 'holding',
      is_paused: true,
      is_draining: true,
      changed: true,
    });
    const listed = JSON.parse(ok(['dags', 'list', '-o', 'json'])) as Array<Record<string, unknown>>;
    expect(listed.find((d) => d.dag_id === 'holding')).toMatchObject({ is_paused: true, is_draining: true });
    refused(['trigger', 'holding'], 1, /DAG 'holding' is draining \(paused with --drain\)/);
    // A plain pause switches to Airflow's pause; unpause clears both.
    expect(ok(['dags', 'pause', 'holding'])).toBe("DAG 'holding' paused\n");
    expect(ok(['dags', 'pause', 'holding', '--drain'])).toBe("DAG 'holding' paused (draining: running runs finish)\n");
    expect(ok(['dags', 'unpause', 'holding'])).toBe("DAG 'holding' unpaused\n");
    const after = JSON.parse(ok(['dags', 'list', '-o', 'json'])) as Array<Record<string, unknown>>;
    expect(after.find((d) => d.dag_id === 'holding')).toMatchObject({ is_paused: false, is_draining: false });
    ok(['trigger', 'holding', '-r', 'r2']);
  });
});
