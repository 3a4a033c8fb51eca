import fs from 'node:fs';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { execSql } from '../../src/db/sql';
import { closeRemoteLogReaders } from '../../src/executors/bullmq/remote-log';
import { taskLogPath } from '../../src/logging/task-log-path';
import { runScheduler } from '../../src/scheduler/scheduler-job';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createTestHome, openTestContext, TestHome, waitFor } from '../helpers/dagctl-home';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { DagctlProcess, startWorkerProcess } from './helpers/dagctl-process';
import { bullmqEnv } from './helpers/distributed-env';
import { ENGINE_DAG, FAILING_DAG, TIMEOUT_DAG } from './helpers/engine-dags';
import { runStates, waitForRun } from './helpers/run-queries';
import { deleteRedisPrefixes, uniqueRedisPrefix } from './helpers/redis-test-prefix';

/** The engine suite of the core tier, with the bullmq executor and two worker processes on PostgreSQL. */
describe('scheduler engine on postgres with the bullmq executor and two workers', () => {
  jest.setTimeout(240_000);
  const prefix = uniqueRedisPrefix('engine');
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let abort: AbortController;
  let scheduler: Promise<void>;
  const workers: DagctlProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    home = createTestHome({ databaseUrl: db.url, env: bullmqEnv(prefix) });
    home.writeDag('engine.ts', ENGINE_DAG);
    home.writeDag('failing.ts', FAILING_DAG);
    home.writeDag('timeouts.ts', TIMEOUT_DAG);
    ctx = await openTestContext(home);
    workers.push(await startWorkerProcess(home.env, { concurrency: 3 }), await startWorkerProcess(home.env, { concurrency: 3 }));
    abort = new AbortController();
    scheduler = runScheduler(ctx, { signal: abort.signal });
    await waitFor('DAGs to be parsed', async () => {
      const { records } = await execSql<{ n: number }>(ctx.dataSource, 'SELECT COUNT(*) AS n FROM serialized_dag');
      return Number(records[0].n) === 3 ? true : undefined;
    });
  });

  afterAll(async () => {
    abort?.abort();
    await scheduler?.catch(() => undefined);
    await Promise.all(workers.map((w) => w.stop()));
    await closeRemoteLogReaders();
    if (ctx) await closeAppContext(ctx);
    await db?.drop();
    home?.remove();
    await deleteRedisPrefixes([prefix]);
  });

  it('runs trigger rules, XComs, retries, bash skip, branching and short-circuit on the workers', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'engine' });
    expect(await waitForRun(ctx, 'engine', run.runId)).toBe('success');
    expect(await runStates(ctx, 'engine', run.runId)).toMatchObject({
      start: { state: 'success' },
      produce: { state: 'success', tries: 1 },
      double: { state: 'success' },
      flaky: { state: 'success', tries: 2 },
      skipper: { state: 'skipped' },
      after_skip: { state: 'skipped' },
      branch: { state: 'success' },
      left: { state: 'success' },
      right: { state: 'skipped' },
      gate: { state: 'success' },
      gated: { state: 'skipped' },
      join: { state: 'success' },
    });
    const { records } = await execSql<{ value: string }>(ctx.dataSource, "SELECT value FROM xcom WHERE dag_id = 'engine' AND run_id = ? AND task_id = 'join'", [run.runId]);
    expect(JSON.parse(records[0].value)).toBe(42);
    // Both workers took part, and each try's log is at the contract path.
    const { records: hosts } = await execSql<{ pid: number }>(ctx.dataSource, "SELECT DISTINCT pid FROM task_instance WHERE dag_id = 'engine' AND run_id = ? AND pid IS NOT NULL", [run.runId]);
    expect(hosts.length).toBeGreaterThan(1);
    const flakyLog = fs.readFileSync(taskLogPath(home.config.logging.base_log_folder, { dagId: 'engine', runId: run.runId, taskId: 'flaky', mapIndex: -1 }, 1), 'utf8');
    expect(flakyLog).toContain('first try fails');
  });

  it('fails a run from its leaves, propagating upstream_failed and still running all_done tasks', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'failing' });
    expect(await waitForRun(ctx, 'failing', run.runId)).toBe('success');
    expect(await runStates(ctx, 'failing', run.runId)).toMatchObject({
      boom: { state: 'failed', tries: 1 }, after: { state: 'upstream_failed' }, cleanup: { state: 'success' },
    });
  });

  it('kills a task that exceeds its execution timeout', async () => {
    const run = await triggerDagRun(ctx, { dagId: 'timeouts' });
    expect(await waitForRun(ctx, 'timeouts', run.runId)).toBe('failed');
    const { records } = await execSql<{ end_reason: string }>(ctx.dataSource, "SELECT end_reason FROM task_instance WHERE dag_id = 'timeouts' AND run_id = ?", [run.runId]);
    expect(records[0].end_reason).toMatch(/timeout/i);
    const pid = Number(fs.readFileSync(`${home.home}/sleepy.pid`, 'utf8'));
    await waitFor('the timed-out bash process to be gone', async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 10_000);
  });
});
