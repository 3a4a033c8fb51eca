import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { ensureDagsParsed } from '../../src/cli/ensure-dags-parsed';
import { DagRunEntity } from '../../src/db/entities';
import { execSql } from '../../src/db/sql';
import { failAbandonedTestRuns } from '../../src/scheduler/fail-abandoned-test-runs';
import { testDag } from '../../src/services/test-dag';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '../helpers/test-database';

jest.setTimeout(120_000);

const DAG_FILE = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('tested', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const first = new BashOperator({ taskId: 'first', bashCommand: 'echo one', dag });
first.then(new BashOperator({ taskId: 'second', bashCommand: 'echo two', dag }));
export default dag;
`;

/** A pid that was a process on this host and is gone now (reaped by spawnSync). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('could not start a process');
  return pid;
}

describe.each(DATABASE_KINDS)('a dags test run whose process is gone, on %s', (kind) => {
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    home = createTestHome({ databaseUrl: db.url });
    home.writeDag('tested.ts', DAG_FILE);
    ctx = await openTestContext(home);
    await ensureDagsParsed(ctx);
  });
  afterEach(async () => {
    await closeAppContext(ctx);
    home.remove();
    await db.drop();
  });

  /** A test run as a `dags test` process leaves it when killed: running, its first try running. */
  let day = 0;
  async function leftTestRun(runId: string, owner: { hostname: string; pid: number }): Promise<void> {
    day += 1;
    const logicalDate = new Date(Date.UTC(2026, 1, day));
    await triggerDagRun(ctx, { dagId: 'tested', runId, runType: 'test', logicalDate, owner });
    await execSql(ctx.dataSource, `UPDATE dag_run SET state = 'running' WHERE run_id = ?`, [runId]);
    for (const [taskId, state, tryNumber] of [
      ['first', 'running', 1],
      ['second', null, 0],
    ] as const) {
      await execSql(
        ctx.dataSource,
        `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool,
           pool_slots, queue, priority_weight, state, updated_at)
         VALUES ('tested', ?, ?, -1, ?, 0, 'BashOperator', 'default_pool', 1, 'default', 1, ?, ?)`,
        [runId, taskId, tryNumber, state, new Date().toISOString()],
      );
    }
  }
  const runOf = (runId: string) => ctx.dataSource.getRepository(DagRunEntity).findOneByOrFail({ runId });
  const tisOf = async (runId: string) =>
    (
      await execSql<{ task_id: string; state: string | null; end_reason: string | null }>(
        ctx.dataSource,
        `SELECT task_id, state, end_reason FROM task_instance WHERE run_id = ? ORDER BY task_id`,
        [runId],
      )
    ).records;

  it('records the owner; the scheduler sweep fails the run of a dead owner on this host only', async () => {
    const gone = deadPid();
    await leftTestRun('test__killed', { hostname: os.hostname(), pid: gone });
    // Alive (the jest parent), and a process on another host: neither can be judged gone.
    await leftTestRun('test__alive_owner', { hostname: os.hostname(), pid: process.ppid });
    await leftTestRun('test__elsewhere', { hostname: `not-${os.hostname()}`, pid: gone });
    expect(await runOf('test__killed')).toMatchObject({ ownerHostname: os.hostname(), ownerPid: gone });

    expect(await failAbandonedTestRuns(ctx.dataSource, new Date())).toBe(1);
    const killed = await runOf('test__killed');
    expect(killed.state).toBe('failed');
    expect(killed.endDate).not.toBeNull();
    expect(killed.note).toBe(`the 'dags test' process that ran it (pid ${gone} on ${os.hostname()}) is gone`);
    expect(await tisOf('test__killed')).toEqual([
      { task_id: 'first', state: 'failed', end_reason: killed.note },
      { task_id: 'second', state: 'skipped', end_reason: null },
    ]);
    expect((await runOf('test__alive_owner')).state).toBe('running');
    expect((await runOf('test__elsewhere')).state).toBe('running');
    // Done once: a second sweep finds nothing.
    expect(await failAbandonedTestRuns(ctx.dataSource, new Date())).toBe(0);
  });

  it('the next dags test fails the abandoned run, and owns its own run', async () => {
    await leftTestRun('test__killed', { hostname: os.hostname(), pid: deadPid() });
    const result = await testDag(ctx, 'tested', { logicalDate: new Date('2026-03-01T00:00:00Z') });
    expect(result.state).toBe('success');
    expect((await runOf('test__killed')).state).toBe('failed');
    expect(await runOf(result.run_id)).toMatchObject({ ownerHostname: os.hostname(), ownerPid: process.pid });
  });
});
