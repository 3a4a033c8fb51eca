import IORedis from 'ioredis';
import request from 'supertest';
import { remoteLogDoneKey, remoteLogKey, taskJobId } from '../../src/executors/bullmq/bullmq-keys';
import { closeRemoteLogReaders } from '../../src/executors/bullmq/remote-log';
import { deleteRedisPrefixes, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/test-redis';
import { ApiTestApp, createApiTestApp } from './helpers/api-test-app';
import { seedExample } from './helpers/seed-example';

/**
 * With the bullmq executor a running try's log lives on its worker's machine; the worker ships it
 * to Redis, and the API and UI serve that copy until the scheduler writes the local file.
 */
describe('logs of tries running on a bullmq worker', () => {
  const prefix = uniqueRedisPrefix('remote-logs');
  let t: ApiTestApp;
  let redis: IORedis;
  const key = { dagId: 'example_dag', runId: 'run_2', taskId: 'transform', mapIndex: -1 };

  beforeAll(async () => {
    t = await createApiTestApp('sqlite', {
      ui: true,
      env: { DAGCTL__CORE__EXECUTOR: 'bullmq', DAGCTL__REDIS__URL: TEST_REDIS_URL, DAGCTL__REDIS__KEY_PREFIX: prefix },
    });
    await seedExample(t.ds, t.ctx.config.logging.base_log_folder);
    redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await redis.quit();
    await deleteRedisPrefixes([prefix]);
    await closeRemoteLogReaders();
    await t?.close();
  });

  it('serves what the worker shipped so far, then what it appends, through the API and the UI tail', async () => {
    const jobId = taskJobId(key, 2);
    await redis.append(remoteLogKey(prefix, jobId), 'remote line one\n');
    const url = '/api/v1/dags/example_dag/dagRuns/run_2/taskInstances/transform/logs/2';
    const first = await request(t.app).get(url).set('Authorization', t.basic('viewer')).expect(200);
    expect(first.body.content).toBe('remote line one\n');
    await redis.append(remoteLogKey(prefix, jobId), 'remote line two\n');
    await redis.set(remoteLogDoneKey(prefix, jobId), '1');
    const next = await request(t.app)
      .get(`${url}?token=${first.body.continuation_token}`)
      .set('Authorization', t.basic('viewer'))
      .expect(200);
    expect(next.body.content).toBe('remote line two\n');

    const ui = await request(t.app)
      .get('/ui/logs?dag_id=example_dag&run_id=run_2&task_id=transform&try_number=2&offset=0')
      .set('Authorization', t.basic('viewer'))
      .expect(200);
    expect(ui.body.content).toBe('remote line one\nremote line two\n');
  });
});
