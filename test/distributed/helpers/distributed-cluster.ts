import fs from 'node:fs';
import path from 'node:path';
import { AppContext, closeAppContext, openAppContext } from '../../../src/app/app-context';
import { migrate, openDatabase } from '../../../src/db/data-source';
import { closeRemoteLogReaders } from '../../../src/executors/bullmq/remote-log';
import { createTestHome, TestHome } from '../../helpers/dagctl-home';
import { waitForParsedDags } from '../../helpers/run-queries';
import { createTestDatabase, TestDatabase } from '../../helpers/test-database';
import { DagctlProcess, startWorkerProcess } from './dagctl-process';
import { bullmqEnv } from './distributed-env';
import { deleteRedisPrefixes, uniqueRedisPrefix } from '../../helpers/test-redis';

/**
 * A small dagctl deployment made of real processes: PostgreSQL, the shared Redis (own key
 * prefix) or a private one, `dagctl scheduler` and `dagctl worker` children sharing one
 * DAGCTL_HOME (the "shared dags volume"), plus an AppContext for the test's own queries.
 */
export class DistributedCluster {
  readonly prefix = uniqueRedisPrefix('dist');
  db!: TestDatabase;
  home!: TestHome;
  ctx!: AppContext;
  readonly schedulers: DagctlProcess[] = [];
  readonly workers: DagctlProcess[] = [];

  /** Executions recorded by the tasks of EXECUTION_DAG, one line each. */
  get executionsFile(): string {
    return path.join(this.home.home, 'executions.log');
  }

  async setUp(dags: Record<string, string>, env: Record<string, string> = {}): Promise<void> {
    this.db = await createTestDatabase('postgres');
    this.home = createTestHome({ databaseUrl: this.db.url, env: bullmqEnv(this.prefix, env) });
    for (const [name, source] of Object.entries(dags)) this.home.writeDag(name, source);
    const ds = await openDatabase(this.db.url);
    await migrate(ds);
    await ds.destroy();
    this.ctx = await openAppContext({ config: this.home.config });
  }

  async startWorker(concurrency = 4): Promise<DagctlProcess> {
    const worker = await startWorkerProcess(this.home.env, { concurrency });
    this.workers.push(worker);
    return worker;
  }

  startScheduler(): DagctlProcess {
    const scheduler = new DagctlProcess(['scheduler'], this.home.env);
    this.schedulers.push(scheduler);
    return scheduler;
  }

  async waitForDags(count: number): Promise<void> {
    await waitForParsedDags(this.ctx.dataSource, count, 90_000);
  }

  /** `run task try` per line, as written by the tasks. */
  executions(): Array<{ run: string; task: string; tryNumber: number }> {
    if (!fs.existsSync(this.executionsFile)) return [];
    return fs
      .readFileSync(this.executionsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [run, task, tryNumber] = line.split(' ');
        return { run, task, tryNumber: Number(tryNumber) };
      });
  }

  async tearDown(): Promise<void> {
    await Promise.all([...this.schedulers, ...this.workers].map((p) => p.stop(20_000)));
    await closeRemoteLogReaders();
    if (this.ctx) await closeAppContext(this.ctx);
    await this.db?.drop();
    this.home?.remove();
    await deleteRedisPrefixes([this.prefix]);
  }
}

/**
 * `width` independent tasks that each append "run task try" to $DAGCTL_HOME/executions.log, then
 * sleep `sleepMs` (so kills land while tasks run). retries: 3.
 */
export function executionDag(dagId: string, width: number, sleepMs: number, extra = ''): string {
  return `
import { appendFileSync } from 'node:fs';
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('${dagId}', { schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveTasks: 64${extra} });
for (let i = 0; i < ${width}; i += 1) {
  new FunctionOperator({ taskId: 't' + i, retries: 3, retryDelay: 100, dag, fn: async (ctx) => {
    const line = ctx.runId + ' ' + ctx.taskId + ' ' + ctx.tryNumber + '\\n';
    appendFileSync(process.env.DAGCTL_HOME + '/executions.log', line);
    await new Promise((resolve) => setTimeout(resolve, ${sleepMs}));
    return ctx.tryNumber;
  } });
}
export default dag;
`;
}
