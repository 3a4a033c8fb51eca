import request from 'supertest';
import { DATABASE_KINDS } from '../helpers/test-database';
import type { ApiTestApp } from './helpers/api-test-app';
import { createExampleApi } from './helpers/example-api';
import type { OpenApiResponseValidator } from './helpers/openapi-validator';

describe.each(DATABASE_KINDS)('dags and dagRuns routes on %s', (kind) => {
  let t: ApiTestApp;
  let validator: OpenApiResponseValidator;

  beforeAll(async () => {
    ({ t, validator } = await createExampleApi(kind));
  });
  afterAll(async () => t?.close());

  async function ok(
    method: 'get' | 'post' | 'patch' | 'delete',
    path: string,
    url: string,
    role: 'viewer' | 'op',
    body?: object,
    status = 200,
  ) {
    const res = await request(t.app)[method](url).set('Authorization', t.basic(role)).send(body);
    expect(`${res.status} ${res.status === status ? '' : res.text}`).toBe(`${status} `);
    if (status === 200) validator.validate(method, path, status, res.body);
    return res;
  }

  it('lists, filters, orders and pages DAGs', async () => {
    expect((await request(t.app).get('/api/v1/dags')).status).toBe(401);
    const all = await ok('get', '/dags', '/api/v1/dags?order_by=-dag_id&limit=2', 'viewer');
    expect(all.body.total_entries).toBe(3);
    expect(all.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['manual_dag', 'interval_dag']);
    const tagged = await ok('get', '/dags', '/api/v1/dags?tags=etl&paused=false', 'viewer');
    expect(tagged.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['example_dag']);
    const pattern = await ok('get', '/dags', '/api/v1/dags?dag_id_pattern=Example&only_active=false', 'viewer');
    expect(pattern.body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['example_dag']);
    expect(
      (await request(t.app).get('/api/v1/dags?order_by=nope').set('Authorization', t.basic('viewer'))).status,
    ).toBe(400);
  });

  it('pauses a DAG (op only), shows details and tasks', async () => {
    expect(
      (
        await request(t.app)
          .patch('/api/v1/dags/manual_dag')
          .set('Authorization', t.basic('viewer'))
          .send({ is_paused: true })
      ).status,
    ).toBe(403);
    const paused = await ok('patch', '/dags/{dag_id}', '/api/v1/dags/manual_dag?update_mask=is_paused', 'op', {
      is_paused: true,
    });
    expect(paused.body.is_paused).toBe(true);
    await ok('get', '/dags/{dag_id}/details', '/api/v1/dags/example_dag/details', 'viewer');
    await ok('get', '/dags/{dag_id}/tasks', '/api/v1/dags/example_dag/tasks', 'viewer');
  });

  it('triggers, lists, changes, clears and deletes runs', async () => {
    const triggered = await ok('post', '/dags/{dag_id}/dagRuns', '/api/v1/dags/example_dag/dagRuns', 'op', {
      dag_run_id: 'api_1',
      conf: { n: 1 },
    });
    expect(triggered.body).toMatchObject({ dag_run_id: 'api_1', state: 'queued', conf: { n: 1 } });
    expect(
      (
        await request(t.app)
          .post('/api/v1/dags/example_dag/dagRuns')
          .set('Authorization', t.basic('op'))
          .send({ dag_run_id: 'api_1' })
      ).status,
    ).toBe(409);
    const list = await ok(
      'get',
      '/dags/{dag_id}/dagRuns',
      '/api/v1/dags/example_dag/dagRuns?order_by=-execution_date&limit=2&offset=1',
      'viewer',
    );
    expect(list.body.total_entries).toBe(4);
    expect(list.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id)).toEqual(['run_3', 'run_2']);
    const states = await ok(
      'get',
      '/dags/{dag_id}/dagRuns',
      '/api/v1/dags/~/dagRuns?state=success,failed&order_by=dag_run_id',
      'viewer',
    );
    expect(states.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id)).toEqual(['run_1', 'run_2']);
    const batch = await ok('post', '/dags/~/dagRuns/list', '/api/v1/dags/~/dagRuns/list', 'viewer', {
      dag_ids: ['example_dag'],
      order_by: '-dag_run_id',
      page_limit: 1,
    });
    expect(batch.body.dag_runs[0].dag_run_id).toBe('run_3');
    const marked = await ok(
      'patch',
      '/dags/{dag_id}/dagRuns/{dag_run_id}',
      '/api/v1/dags/example_dag/dagRuns/run_3',
      'op',
      { state: 'success' },
    );
    expect(marked.body.state).toBe('success');
    const tis = await ok(
      'get',
      '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances',
      '/api/v1/dags/example_dag/dagRuns/run_3/taskInstances',
      'viewer',
    );
    expect(tis.body.task_instances.map((ti: { state: string }) => ti.state)).toEqual(['success', 'success', 'success']);
    const cleared = await ok(
      'post',
      '/dags/{dag_id}/dagRuns/{dag_run_id}/clear',
      '/api/v1/dags/example_dag/dagRuns/run_3/clear',
      'op',
      { dry_run: false },
    );
    expect(cleared.body.state).toBe('queued');
    await ok(
      'delete',
      '/dags/{dag_id}/dagRuns/{dag_run_id}',
      '/api/v1/dags/example_dag/dagRuns/api_1',
      'op',
      undefined,
      204,
    );
    expect(
      (await request(t.app).get('/api/v1/dags/example_dag/dagRuns/api_1').set('Authorization', t.basic('viewer')))
        .status,
    ).toBe(404);
  });

  it('deletes a DAG', async () => {
    await ok('delete', '/dags/{dag_id}', '/api/v1/dags/interval_dag', 'op', undefined, 204);
    expect((await request(t.app).get('/api/v1/dags/interval_dag').set('Authorization', t.basic('viewer'))).status).toBe(
      404,
    );
  });
});
