import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { execSql } from '../../src/db/sql';
import { CliResult, dagctl, startDagctl, stopProcess } from '../helpers/cli';
import { createTestHome, TestHome } from '../helpers/dagctl-home';
import { eventuallyDefined } from '../helpers/eventually';
import { finishedRunState } from '../helpers/run-queries';
import { makeDag, makeTask, seedDag } from '../helpers/serialized-dags';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';

jest.setTimeout(240_000);

/** Held tasks wait for this file (in DAGCTL_HOME), so they stay running until the test lets them go. */
const HOLD = 'while [ ! -f "$DAGCTL_HOME/release" ]; do sleep 0.1; done';

const DAGS: Record<string, string> = {
  // retry period: flaky fails and waits an hour to retry; trigger rule: after waits for flaky.
  'retrying.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('retrying', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const flaky = new BashOperator({ taskId: 'flaky', bashCommand: 'exit 1', retries: 1, retryDelay: '1h', dag });
const after = new BashOperator({ taskId: 'after', bashCommand: 'true', dag });
flaky.then(after);
export default dag;
`,
  // pool full: two tasks in a pool of one slot.
  'pooled.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('pooled', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'a', pool: 'one_slot', bashCommand: ${JSON.stringify(HOLD)}, dag });
new BashOperator({ taskId: 'b', pool: 'one_slot', bashCommand: ${JSON.stringify(HOLD)}, dag });
export default dag;
`,
  // max_active_tasks: two tasks of a DAG that runs one at a time.
  'narrow.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('narrow', { schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveTasks: 1 });
new BashOperator({ taskId: 'a', bashCommand: ${JSON.stringify(HOLD)}, dag });
new BashOperator({ taskId: 'b', bashCommand: ${JSON.stringify(HOLD)}, dag });
export default dag;
`,
  // depends_on_past: the first run's instance fails, so the second run's waits.
  'daily.ts': `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('daily', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({ taskId: 'load', bashCommand: 'exit 1', dependsOnPast: true, dag });
export default dag;
`,
};

/**
 * `dagctl tasks failed-deps` against a running scheduler (a separate `dagctl scheduler` process,
 * the local executor): for a task instance held by each kind of rule, it prints that rule and
 * its reason — what the scheduler itself evaluated.
 */
describe.each(DATABASE_KINDS)('tasks failed-deps with a running scheduler on %s', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ds: DataSource;
  let scheduler: ReturnType<typeof startDagctl> | null = null;

  const cli = (args: string[]): CliResult => dagctl(args, home.env);
  const failedDeps = (dagId: string, taskId: string, runId: string): string => {
    const result = cli(['tasks', 'failed-deps', dagId, taskId, runId]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    return result.stdout;
  };
  const stateOf = async (dagId: string, runId: string, taskId: string): Promise<string | null | undefined> => {
    const { records } = await execSql<{ state: string | null }>(
      ds,
      'SELECT state FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ?',
      [dagId, runId, taskId],
    );
    return records.length ? records[0].state : undefined;
  };
  const waitForState = (dagId: string, runId: string, taskId: string, state: string | null): Promise<true> =>
    eventuallyDefined(
      `${dagId}.${taskId} in ${runId} to be ${state}`,
      async () => ((await stateOf(dagId, runId, taskId)) === state ? true : undefined),
      120_000,
      100,
    );
  /** Of two tasks competing for one slot: the one still scheduled once the other runs. */
  const waitingOneOf = (dagId: string, runId: string): Promise<string> =>
    eventuallyDefined(
      `one task of ${dagId} to run while the other waits`,
      async () => {
        const a = await stateOf(dagId, runId, 'a');
        const b = await stateOf(dagId, runId, 'b');
        if (a === 'running' && b === 'scheduled') return 'b';
        if (b === 'running' && a === 'scheduled') return 'a';
        return undefined;
      },
      120_000,
      100,
    );

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url, env: { DAGCTL__CORE__EXECUTOR: 'local' } });
    expect(cli(['initdb']).status).toBe(0);
    expect(cli(['pools', 'set', 'one_slot', '1']).status).toBe(0);
    ds = await openDatabase(db.url);
  });

  afterAll(async () => {
    if (home) fs.writeFileSync(path.join(home.home, 'release'), '');
    if (scheduler) await stopProcess(scheduler.child);
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
    home?.remove();
  });

  it('says when every rule is met, and names what does not exist', async () => {
    // Before any scheduler runs: a task instance with nothing left to wait for.
    await seedDag(ds, makeDag('seeded', [makeTask('only')]));
    await execSql(
      ds,
      'INSERT INTO dag_run (dag_id, run_id, logical_date, state, run_type, external_trigger) ' +
        "VALUES ('seeded', 'r1', ?, 'running', 'manual', ?)",
      ['2026-01-01T00:00:00.000Z', true],
    );
    await execSql(
      ds,
      "INSERT INTO task_instance (dag_id, run_id, task_id, map_index) VALUES ('seeded', 'r1', 'only', -1)",
    );
    expect(failedDeps('seeded', 'only', 'r1')).toBe('Task instance dependencies are all met.\n');
    expect(JSON.parse(cli(['tasks', 'failed-deps', 'seeded', 'only', 'r1', '-o', 'json']).stdout)).toEqual({
      dag_id: 'seeded',
      task_id: 'only',
      run_id: 'r1',
      state: null,
      failed_deps: [],
    });

    const unknown = (args: string[], code: number, message: RegExp): void => {
      const result = cli(['tasks', 'failed-deps', ...args]);
      expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({
        status: code,
        stderr: expect.stringMatching(message),
      });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    };
    unknown(['nope', 'only', 'r1'], 1, /DAG 'nope' not found/);
    unknown(['seeded', 'only', 'nope'], 1, /DAG run 'nope' of DAG 'seeded' not found/);
    unknown(['seeded', 'nope', 'r1'], 1, /task 'nope' not found in DAG 'seeded'/);
    unknown(['seeded', 'only'], 2, /missing required argument 'run_id'/);

    for (const table of ['task_instance', 'dag_run', 'serialized_dag', 'dag'])
      await execSql(ds, `DELETE FROM ${table} WHERE dag_id = 'seeded'`);
  });

  it('prints a reason for a task waiting on each kind of rule', async () => {
    for (const [file, source] of Object.entries(DAGS)) home.writeDag(file, source);
    scheduler = startDagctl(['scheduler'], home.env);
    await eventuallyDefined(
      'the DAGs to be parsed',
      async () => {
        const { records } = await execSql<{ n: number }>(ds, 'SELECT COUNT(*) AS n FROM serialized_dag');
        return Number(records[0].n) === Object.keys(DAGS).length ? true : undefined;
      },
      120_000,
      200,
    );
    for (const dagId of ['retrying', 'pooled', 'narrow']) expect(cli(['trigger', dagId, '-r', 'r1']).status).toBe(0);
    expect(cli(['trigger', 'daily', '-r', 'day1', '-e', '2026-01-01T00:00:00Z']).status).toBe(0);

    // Retry period, and the trigger rule of the task downstream of it.
    await waitForState('retrying', 'r1', 'flaky', 'up_for_retry');
    expect(failedDeps('retrying', 'flaky', 'r1')).toMatch(
      /^Not In Retry Period: task is in retry period until \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
    expect(failedDeps('retrying', 'after', 'r1')).toBe(
      'Trigger Rule: all_success: waiting for 1 of 1 upstream task to finish\n',
    );

    // Pool full.
    const pooledWaiting = await waitingOneOf('pooled', 'r1');
    expect(failedDeps('pooled', pooledWaiting, 'r1')).toBe(
      "Pool Slots Available: pool 'one_slot' is full: 0 slots of 1 open, the task needs 1\n",
    );

    // max_active_tasks.
    const narrowWaiting = await waitingOneOf('narrow', 'r1');
    expect(failedDeps('narrow', narrowWaiting, 'r1')).toBe(
      'Task Instance Slots Available: the DAG has 1 task instance queued or running, its max_active_tasks is 1\n',
    );

    // depends_on_past: the second day waits on the first, which failed.
    expect(await eventuallyDefined('day1 to finish', () => finishedRunState(ds, 'daily', 'day1'), 120_000, 100)).toBe(
      'failed',
    );
    expect(cli(['trigger', 'daily', '-r', 'day2', '-e', '2026-01-02T00:00:00Z']).status).toBe(0);
    await waitForState('daily', 'day2', 'load', null);
    expect(failedDeps('daily', 'load', 'day2')).toBe(
      "Previous Dagrun State: depends_on_past: the previous run's instance (day1) is failed, not success or skipped\n",
    );
    const json = JSON.parse(cli(['tasks', 'failed-deps', 'daily', 'load', 'day2', '-o', 'json']).stdout);
    expect(json).toEqual({
      dag_id: 'daily',
      task_id: 'load',
      run_id: 'day2',
      state: null,
      failed_deps: [
        {
          name: 'Previous Dagrun State',
          reason: "depends_on_past: the previous run's instance (day1) is failed, not success or skipped",
        },
      ],
    });

    // A task that runs, and one that finished, are explained by their state.
    expect(failedDeps('pooled', pooledWaiting === 'a' ? 'b' : 'a', 'r1')).toBe(
      'Task Instance State: the task instance is running\n',
    );
    expect(failedDeps('daily', 'load', 'day1')).toBe(
      'Task Instance State: the task instance is failed, a finished state: clear it to run it again\n',
    );
  });
});
