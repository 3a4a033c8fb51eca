import request from 'supertest';
import { DAG } from '../../src/authoring/dag';
import { param } from '../../src/authoring/param';
import { serializeDag } from '../../src/authoring/serialize-dag';
import type { SerializedDag } from '../../src/core/serialized-dag';
import { DagRunEntity } from '../../src/db/entities';
import { createApiTestApp, seedDag as seedApiDag, type ApiTestApp } from '../api/helpers/api-test-app';
import { createUiTestApp, csrfFor, OP, seedDag as seedUiDag, type UiTestApp } from '../ui/helpers/ui-fixtures';

function paramsDag(): SerializedDag {
  const dag = new DAG('params_conf', {
    params: {
      n: param(1, { type: 'integer', minimum: 0, description: 'how many rows' }),
      mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
    },
  });
  return { ...serializeDag(dag), fileloc: '/dags/params_conf.ts' };
}

describe('trigger conf validated against the params schema: API', () => {
  let t: ApiTestApp;
  beforeEach(async () => {
    t = await createApiTestApp('sqlite');
    await seedApiDag(t.ds, paramsDag());
  });
  afterEach(async () => t.close());

  const trigger = (conf: unknown) =>
    request(t.app).post('/api/v1/dags/params_conf/dagRuns').set('Authorization', t.basic('op')).send({ conf });

  it('answers 400 problem JSON naming the field, and creates no run', async () => {
    const res = await trigger({ n: 'not-an-int' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((res.body as { detail: string }).detail).toContain("conf field 'n' must be integer");
    const enumRes = await trigger({ mode: 'medium' });
    expect(enumRes.status).toBe(400);
    expect((enumRes.body as { detail: string }).detail).toContain("conf field 'mode'");
    expect(await t.ds.getRepository(DagRunEntity).countBy({ dagId: 'params_conf' })).toBe(0);
  });

  it('accepts valid conf and stores it as given', async () => {
    const res = await trigger({ n: 7 });
    expect(res.status).toBe(200);
    const run = await t.ds.getRepository(DagRunEntity).findOneByOrFail({ dagId: 'params_conf' });
    expect(run.conf).toEqual({ n: 7 });
  });

  it('with core.dag_run_conf_overrides_params false, conf is not checked against params', async () => {
    await t.close();
    t = await createApiTestApp('sqlite', { env: { DAGCTL__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS: 'false' } });
    await seedApiDag(t.ds, paramsDag());
    expect((await trigger({ n: 'anything' })).status).toBe(200);
  });
});

describe('trigger conf validated against the params schema: UI', () => {
  let t: UiTestApp;
  beforeEach(async () => {
    t = await createUiTestApp();
    await seedUiDag(t.ds, paramsDag());
  });
  afterEach(async () => t.close());

  it('re-shows the form with the error naming the field, and creates no run', async () => {
    const res = await request(t.app)
      .post('/dags/params_conf/trigger')
      .set('x-test-user', OP)
      .type('form')
      .send({ _csrf: csrfFor('otto'), conf: '{"n": -3}', run_id: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('conf field &#39;n&#39; must be &gt;= 0');
    expect(await t.ds.getRepository(DagRunEntity).countBy({ dagId: 'params_conf' })).toBe(0);
  });
});
