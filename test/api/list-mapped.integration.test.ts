import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { taskLogPath } from '../../src/logging/task-log-path';
import { makeDag, makeTask } from '../helpers/serialized-dags';
import { ApiTestApp, createApiTestApp, seedDag, seedRun, seedTi } from './helpers/api-test-app';
import { OpenApiResponseValidator, validatorFromServedDocument } from './helpers/openapi-validator';

const LIST_MAPPED = '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/listMapped';
const ONE = '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}';
const BASE = '/api/v1/dags/mapped_dag/dagRuns/run_1/taskInstances';

let t: ApiTestApp;
let validator: OpenApiResponseValidator;

beforeAll(async () => {
  t = await createApiTestApp('sqlite');
  const dag = makeDag('mapped_dag', [
    makeTask('numbers'),
    makeTask('double', ['numbers'], {
      mapped: { args: [{ name: 'input 1', upstream: { taskId: 'numbers', key: 'return_value' } }] },
    }),
  ]);
  await seedDag(t.ds, dag);
  await seedRun(t.ds, {
    dagId: 'mapped_dag',
    runId: 'run_1',
    logicalDate: '2026-01-01T00:00:00.000Z',
    state: 'failed',
  });
  await seedTi(t.ds, { dagId: 'mapped_dag', runId: 'run_1', taskId: 'numbers', state: 'success' });
  for (const [mapIndex, state] of [
    [2, 'success'],
    [0, 'success'],
    [1, 'failed'],
  ] as const)
    await seedTi(t.ds, { dagId: 'mapped_dag', runId: 'run_1', taskId: 'double', mapIndex, state });
  const log = taskLogPath(
    t.ctx.config.logging.base_log_folder,
    { dagId: 'mapped_dag', runId: 'run_1', taskId: 'double', mapIndex: 1 },
    1,
  );
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, 'element 1 failed\n');
  validator = await validatorFromServedDocument(t.app, t.basic('viewer'));
});
afterAll(async () => t?.close());

function get(url: string) {
  return request(t.app).get(url).set('Authorization', t.basic('viewer'));
}

describe('mapped task instances', () => {
  it('lists the task instances of a mapped task in map-index order (listMapped)', async () => {
    const res = await get(`${BASE}/double/listMapped`).expect(200);
    validator.validate('get', LIST_MAPPED, 200, res.body);
    expect(res.body.total_entries).toBe(3);
    expect(res.body.task_instances.map((ti: { map_index: number; state: string }) => [ti.map_index, ti.state])).toEqual(
      [
        [0, 'success'],
        [1, 'failed'],
        [2, 'success'],
      ],
    );
    const failed = await get(`${BASE}/double/listMapped?state=failed`).expect(200);
    expect(failed.body.task_instances.map((ti: { map_index: number }) => ti.map_index)).toEqual([1]);
  });

  it('answers one map index by its own route, and its log by map_index', async () => {
    const res = await get(`${BASE}/double/1`).expect(200);
    validator.validate('get', ONE, 200, res.body);
    expect(res.body).toMatchObject({ task_id: 'double', map_index: 1, state: 'failed' });
    const log = await get(`${BASE}/double/logs/1?map_index=1`).expect(200);
    expect(log.body.content).toBe('element 1 failed\n');
  });

  it('answers 404 problems: a task not mapped, an unknown task, a map index that does not exist', async () => {
    for (const url of [`${BASE}/numbers/listMapped`, `${BASE}/nope/listMapped`, `${BASE}/double/7`]) {
      const res = await get(url);
      expect(res.status).toBe(404);
      expect(res.type).toBe('application/problem+json');
    }
    const notMapped = await get(`${BASE}/numbers/listMapped`);
    expect(notMapped.body.detail).toContain("task 'numbers' of DAG 'mapped_dag' is not mapped");
  });
});
