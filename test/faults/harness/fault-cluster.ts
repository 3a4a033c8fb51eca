import path from 'node:path';
import { AppContext, closeAppContext } from '../../../src/app/app-context';
import { closeRemoteLogReaders } from '../../../src/executors/bullmq/remote-log';
import { triggerDagRun } from '../../../src/services/trigger-dag-run';
import { DagctlProcess, startWorkerProcess } from '../../distributed/helpers/dagctl-process';
import { createTestHome, openTestContext, TestHome } from '../../helpers/dagctl-home';
import { eventually } from '../../helpers/eventually';
import { waitForParsedDags } from '../../helpers/run-queries';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from '../../helpers/test-database';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../../helpers/test-redis';
import { checkInvariants, Expectation, FaultFigures, verdict } from './invariants';
import { appendFaultResult } from './results-file';
import { EFFECTS_FILE_NAME } from './workload';
import { Effect, readEffects } from './side-effects';
import { execSql } from '../../../src/db/sql';

export interface FaultClusterOptions {
  database: TestDatabaseKind | { url: string; kind: TestDatabaseKind };
  executor: 'local' | 'bullmq';
  /** bullmq: the Redis URL (default: the shared one, with a key prefix of our own). */
  redisUrl?: string;
  dags: Record<string, string>;
  env?: Record<string, string>;
}

/**
 * One fault scenario's deployment: a dagctl home with the workload DAGs, `dagctl scheduler` (and
 * for bullmq `dagctl worker`) as real CLI processes, and an AppContext for the test's own queries.
 */
export class FaultCluster {
  readonly prefix = uniqueRedisPrefix('fault');
  db!: TestDatabase;
  home!: TestHome;
  ctx!: AppContext;
  readonly schedulers: DagctlProcess[] = [];
  readonly workers: DagctlProcess[] = [];
  private dagIds: string[] = [];

  constructor(readonly options: FaultClusterOptions) {}

  get effectsFile(): string {
    return path.join(this.home.home, EFFECTS_FILE_NAME);
  }

  async setUp(): Promise<void> {
    const { database, executor } = this.options;
    this.db =
      typeof database === 'string' ? await createTestDatabase(database) : { ...database, drop: async () => undefined };
    const env: Record<string, string> = {
      DAGCTL__CORE__EXECUTOR: executor,
      DAGCTL__CORE__KILLED_TASK_CLEANUP_TIME: '2s',
      DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms',
      DAGCTL__SCHEDULER__HEARTBEAT_INTERVAL: '1s',
      ...(executor === 'bullmq'
        ? {
            DAGCTL__REDIS__URL: this.options.redisUrl ?? TEST_REDIS_URL,
            DAGCTL__REDIS__KEY_PREFIX: this.prefix,
            DAGCTL__WORKER__SHUTDOWN_TIMEOUT: '10s',
          }
        : {}),
      ...this.options.env,
    };
    this.home = createTestHome({ databaseUrl: this.db.url, env });
    for (const [name, source] of Object.entries(this.options.dags)) this.home.writeDag(name, source);
    this.dagIds = Object.keys(this.options.dags).map((name) => path.basename(name, path.extname(name)));
    this.ctx = await openTestContext(this.home);
  }

  /** `shellSetup`: see DagctlProcess (a resource limit the scheduler and its tasks inherit). */
  startScheduler(shellSetup?: string): DagctlProcess {
    const scheduler = new DagctlProcess(['scheduler'], this.home.env, shellSetup);
    this.schedulers.push(scheduler);
    return scheduler;
  }

  async startWorker(concurrency = 8): Promise<DagctlProcess> {
    const worker = await startWorkerProcess(this.home.env, { concurrency });
    this.workers.push(worker);
    return worker;
  }

  async waitForDags(count = this.dagIds.length): Promise<void> {
    await waitForParsedDags(this.ctx.dataSource, count, 120_000);
  }

  /** Trigger `runs` runs of every workload DAG (file name = DAG id); returns their run ids. */
  async triggerAll(runs: number, dagIds = this.dagIds): Promise<string[]> {
    const ids: string[] = [];
    for (const dagId of dagIds)
      for (let i = 0; i < runs; i += 1) ids.push((await triggerDagRun(this.ctx, { dagId, runId: `r${i}` })).runId);
    return ids;
  }

  effects(): Effect[] {
    return readEffects(this.effectsFile);
  }

  /** Tries that started and have not ended (by themselves): the ones a fault can hit. */
  runningTries(kind?: 'bash' | 'js'): Effect[] {
    const effects = this.effects();
    const ended = new Set(
      effects.filter((e) => e.phase === 'end').map((e) => `${e.dagId}/${e.runId}/${e.taskId}#${e.tryNumber}`),
    );
    return effects.filter(
      (e) =>
        e.phase === 'start' &&
        (!kind || e.extra === kind) &&
        !ended.has(`${e.dagId}/${e.runId}/${e.taskId}#${e.tryNumber}`),
    );
  }

  /** Wait until no run of the workload is queued or running. */
  async waitForRunsFinal(timeoutMs = 180_000): Promise<void> {
    const marks = this.dagIds.map(() => '?').join(', ');
    await eventually(
      async () => {
        const { records } = await execSql<{ dag_id: string; run_id: string; state: string }>(
          this.ctx.dataSource,
          `SELECT dag_id, run_id, state FROM dag_run WHERE dag_id IN (${marks}) AND state IN ('queued', 'running')`,
          this.dagIds,
        );
        if (records.length)
          throw new Error(`not final: ${records.map((r) => `${r.dag_id}/${r.run_id} ${r.state}`).join(', ')}`);
      },
      { what: 'every run of the workload to be final', timeoutMs, intervalMs: 250 },
    );
  }

  /** Check the invariants, append the scenario's figures to the results file and return them. */
  async check(
    scenario: { scenario: string; injected: string; workload: string },
    expectation: Expectation = {},
    dagIds = this.dagIds,
  ): Promise<FaultFigures> {
    const effects = this.effects().filter((e) => dagIds.includes(e.dagId));
    const found = await checkInvariants(this.ctx.dataSource, effects, dagIds, expectation);
    const figures: FaultFigures = { ...scenario, ...found, result: verdict(found) };
    appendFaultResult(figures);
    return figures;
  }

  async tearDown(): Promise<void> {
    await Promise.all([...this.schedulers, ...this.workers].map((p) => p.stop(20_000)));
    if (this.options.executor === 'bullmq') await closeRemoteLogReaders();
    if (this.ctx) await closeAppContext(this.ctx);
    await this.db?.drop();
    this.home?.remove();
    if (this.options.executor === 'bullmq' && !this.options.redisUrl) await deleteRedisPrefixes([this.prefix]);
  }
}

/** The figures a passing scenario has (a test's final assertion, which shows the details on failure). */
export const CLEAN = { lost: 0, duplicated: 0, overlapping: 0, stuck: 0, lingering: 0 };
