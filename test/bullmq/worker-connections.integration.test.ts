import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, LoadedConfig } from '../../src/config/load-config';
import { ConnectionEntity } from '../../src/db/entities/connection.entity';
import { DagRunEntity } from '../../src/db/entities/dag-run.entity';
import { VariableEntity } from '../../src/db/entities/variable.entity';
import { BullMQExecutor } from '../../src/executors/bullmq/bullmq-executor';
import { RunningWorker, startWorker } from '../../src/executors/bullmq/worker';
import type { TaskWorkload } from '../../src/core/executor';
import { EventRecorder } from '../executors/event-recorder';
import { openMigratedTestDatabase } from '../helpers/test-database';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';
import { makeTempHome, makeWorkload } from '../runner/fixtures';

const DAG = `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('remote_conns', { schedule: null });
new FunctionOperator({ taskId: 'read', dag, fn: async (ctx) => {
  const conn = await ctx.connection('api');
  return [conn.host, conn.port, conn.password, conn.extra.region, await ctx.variables.get('bucket'),
    await ctx.variables.get('from_env')].join(' ');
} });
new BashOperator({ taskId: 'templated', dag, bashCommand: 'echo {{ conn.api.login }} {{ var.value.bucket }}' });
new FunctionOperator({ taskId: 'unknown', dag, fn: async (ctx) => (await ctx.connection('nowhere')).host });
new BashOperator({ taskId: 'prev', dag, bashCommand: 'echo {{ prev_data_interval_start_success }}' });
export default dag;
`;

/**
 * A worker with no database at all (its database.url points at a file that does not exist) runs
 * tasks that read connections and variables: the scheduler's executor serves them over Redis.
 */
describe('connections and variables on a bullmq worker', () => {
  jest.setTimeout(120_000);
  const home = makeTempHome('dagctl-bullmq-conns-');
  const dagFile = path.join(home.dags, 'remote_conns.ts');
  fs.writeFileSync(dagFile, DAG);
  const prefix = uniqueRedisPrefix('conns');
  let db: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let executor: BullMQExecutor;
  let recorder: EventRecorder;
  let worker: RunningWorker;
  let config: LoadedConfig;
  let counter = 0;
  const savedEnv = process.env.DAGCTL_VAR_FROM_ENV;

  beforeAll(async () => {
    db = await openMigratedTestDatabase('postgres');
    await db.dataSource.getRepository(ConnectionEntity).save({
      connId: 'api',
      connType: 'http',
      description: null,
      host: 'api.example',
      schema: null,
      login: 'robot',
      password: 's3cret',
      port: 8443,
      extra: '{"region":"eu"}',
    });
    await db.dataSource.getRepository(VariableEntity).save({ key: 'bucket', val: 's3://lake', description: null });
    // The worker's environment wins over the database (the worker's task processes inherit it).
    process.env.DAGCTL_VAR_FROM_ENV = 'env-value';
    config = loadConfig(
      {
        DAGCTL_HOME: home.home,
        DAGCTL__REDIS__URL: TEST_REDIS_URL,
        DAGCTL__REDIS__KEY_PREFIX: prefix,
        DAGCTL__DATABASE__URL: `sqlite:///${path.join(home.home, 'does-not-exist.db')}`,
      },
      home.home,
    );
    executor = new BullMQExecutor(config, { dataSource: db.dataSource });
    recorder = new EventRecorder(executor);
    await executor.start();
    worker = await startWorker(config, { queues: ['default'], concurrency: 2, lockDurationMs: 5000 });
  });
  afterAll(async () => {
    await worker?.close(0);
    await executor?.terminate();
    await db?.close();
    await deleteRedisPrefixes([prefix]);
    if (savedEnv === undefined) delete process.env.DAGCTL_VAR_FROM_ENV;
    else process.env.DAGCTL_VAR_FROM_ENV = savedEnv;
    home.remove();
  });

  function send(taskId: string): TaskWorkload {
    counter += 1;
    const base = makeWorkload(dagFile, 'remote_conns', taskId);
    const workload = { ...base, key: { ...base.key, runId: `run_${counter}` } };
    executor.queueWorkload(workload);
    return workload;
  }

  it('reads a connection and variables, in code and in templates', async () => {
    const read = send('read');
    const templated = send('templated');
    expect(await recorder.endOf('read', read.key.runId)).toMatchObject({
      outcome: {
        state: 'success',
        xcoms: { return_value: 'api.example 8443 *** eu s3://lake env-value' /* the password is masked in the XCom */ },
      },
    });
    expect(await recorder.endOf('templated', templated.key.runId)).toMatchObject({
      outcome: { state: 'success', xcoms: { return_value: 'robot s3://lake' } },
    });
    expect(fs.existsSync(path.join(home.home, 'does-not-exist.db'))).toBe(false);
  });

  it("asks a scheduler for the previous successful run's values when a template names one", async () => {
    // makeWorkload's runs are on 2026-01-05: an earlier successful run of the DAG.
    await db.dataSource.getRepository(DagRunEntity).save({
      dagId: 'remote_conns',
      runId: 'earlier',
      logicalDate: new Date('2026-01-02T00:00:00Z'),
      dataIntervalStart: new Date('2026-01-01T00:00:00Z'),
      dataIntervalEnd: new Date('2026-01-02T00:00:00Z'),
      state: 'success',
      runType: 'scheduled',
    });
    const prev = send('prev');
    expect(await recorder.endOf('prev', prev.key.runId)).toMatchObject({
      outcome: { state: 'success', xcoms: { return_value: '2026-01-01T00:00:00+00:00' } },
    });
  });

  it('fails a task that asks for an unknown connection, naming it', async () => {
    const unknown = send('unknown');
    expect(await recorder.endOf('unknown', unknown.key.runId)).toMatchObject({
      outcome: {
        state: 'failed',
        reason: "connection 'nowhere' is not defined (neither DAGCTL_CONN_NOWHERE nor the metadata database has it)",
      },
    });
  });
});
