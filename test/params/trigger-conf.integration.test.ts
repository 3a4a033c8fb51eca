import request from 'supertest';
import { DAG } from '../../src/authoring/dag';
import { param } from '../../src/authoring/param';
import { serializeDag } from '../../src/authoring/serialize-dag';
import type { SerializedDag } from '../../src/core/serialized-dag';
import { DagRunEntity } from '../../src/db/entities';
import { createApiTestApp, seedDag as seedApiDag, type ApiTestApp } from '../api/helpers/api-test-app';
import { csrfFor, OP, seedDag as seedUiDag, uiTestAppFor } from '../ui/helpers/ui-fixtures';

function paramsDag(): SerializedDag {
  const dag = new DAG('params_conf', {
    params: {
      n: param(1, { type: 'integer', minimum: 0, description: 'how many rows' }),
      mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
      dry: param(false, { type: 'boolean' }),
      target: param(undefined, { type: 'string', title: 'Target table' }),
      tags: ['a'],
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
    const missing = await trigger({ n: 2 });
    expect(missing.status).toBe(400);
    expect((missing.body as { detail: string }).detail).toContain("param 'target' has no default");
    expect(await t.ds.getRepository(DagRunEntity).countBy({ dagId: 'params_conf' })).toBe(0);
  });

  it('accepts valid conf and stores it as given', async () => {
    const res = await trigger({ n: 7, target: 't' });
    expect(res.status).toBe(200);
    const run = await t.ds.getRepository(DagRunEntity).findOneByOrFail({ dagId: 'params_conf' });
    expect(run.conf).toEqual({ n: 7, target: 't' });
  });

  it('with core.dag_run_conf_overrides_params false, conf is not checked against params', async () => {
    await t.close();
    t = await createApiTestApp('sqlite', { env: { DAGCTL__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS: 'false' } });
    const plain = serializeDag(new DAG('params_plain', { params: { n: param(1, { type: 'integer' }) } }));
    await seedApiDag(t.ds, { ...plain, fileloc: '/dags/params_plain.ts' });
    const res = await request(t.app)
      .post('/api/v1/dags/params_plain/dagRuns')
      .set('Authorization', t.basic('op'))
      .send({ conf: { n: 'anything' } });
    expect(res.status).toBe(200);
    await seedApiDag(t.ds, paramsDag());
    const required = await trigger({ target: 't' });
    expect(required.status).toBe(400);
    expect((required.body as { detail: string }).detail).toContain('core.dag_run_conf_overrides_params is false');
  });
});

describe('trigger conf validated against the params schema: UI', () => {
  const t = uiTestAppFor('each');
  beforeEach(async () => {
    await seedUiDag(t.ds, paramsDag());
  });

  const post = (fields: Record<string, string>) =>
    request(t.app)
      .post('/dags/params_conf/trigger')
      .set('x-test-user', OP)
      .type('form')
      .send({ _csrf: csrfFor('otto'), run_id: '', conf: '', ...fields });

  it('generates the form from the schema: types, enums, descriptions, defaults', async () => {
    const form = await request(t.app).get('/dags/params_conf/trigger').set('x-test-user', OP);
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<input type="number" name="param:n" value="1" step="1" min="0"/);
    expect(form.text).toContain('how many rows');
    expect(form.text).toMatch(/<select name="param:mode">\s*<option value="&quot;fast&quot;" selected>fast<\/option>/);
    expect(form.text).toContain('<option value="&quot;slow&quot;">slow</option>');
    expect(form.text).toMatch(/<select name="param:dry">[\s\S]*<option value="false" selected>false<\/option>/);
    expect(form.text).toMatch(/<input type="text" name="param:target" value="" required>/);
    expect(form.text).toContain('Target table');
    expect(form.text).toMatch(/<textarea name="param:tags"[^>]*>\[\n {2}&quot;a&quot;\n\]<\/textarea>/);
  });

  it('turns the posted fields into typed conf', async () => {
    const res = await post({
      'param:n': '4',
      'param:mode': '"slow"',
      'param:dry': 'true',
      'param:target': 'orders',
      'param:tags': '["x", "y"]',
      conf: '{"extra": 1}',
    });
    expect(res.status).toBe(303);
    const run = await t.ds.getRepository(DagRunEntity).findOneByOrFail({ dagId: 'params_conf' });
    expect(run.conf).toEqual({ n: 4, mode: 'slow', dry: true, target: 'orders', tags: ['x', 'y'], extra: 1 });
  });

  it('re-shows the form with the error naming the field and what was typed, and creates no run', async () => {
    const res = await post({ 'param:n': 'many', 'param:target': 'orders' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('conf field &#39;n&#39; must be integer');
    expect(res.text).toContain('name="param:n" value="many"');
    const fromJson = await post({ 'param:target': 'orders', conf: '{"n": -3}' });
    expect(fromJson.status).toBe(400);
    expect(fromJson.text).toContain('conf field &#39;n&#39; must be &gt;= 0');
    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('param &#39;target&#39; has no default');
    expect(await t.ds.getRepository(DagRunEntity).countBy({ dagId: 'params_conf' })).toBe(0);
  });
});
