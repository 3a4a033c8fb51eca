import request from 'supertest';
import { createWebApp } from '../../src/web/app';
import { makeDag, makeTask } from '../helpers/serialized-dags';
import { ApiTestApp, createApiTestApp, PASSWORDS, type Role } from '../api/helpers/api-test-app';
import { seedDag, seedRun } from '../api/helpers/api-test-app';

const RUN_ID = 'manual__2026-03-04T00:00:00+00:00';
const CONF = { table: 'sales', db_password: 'conf-pw-2e7f', nested: { corp_word: 'conf-word-91aa' } };
const VAR_SECRET = 'var-secret-5c1d';
const EXTRA_SECRET = 'extra-secret-77be';

/**
 * Values shown as `***` for their key's name (contract §1, §6), with the word `corp_word` of
 * `core.sensitive_var_conn_names`. Issue 12: the API's connection extras and the UI's variables
 * and connections pages kept their own word lists and ignored the configured words.
 */
describe('sensitive keys: run conf, variables, connection extras', () => {
  let t: ApiTestApp;
  let ui: ReturnType<typeof createWebApp>;
  beforeAll(async () => {
    t = await createApiTestApp('sqlite', { env: { DAGCTL__CORE__SENSITIVE_VAR_CONN_NAMES: 'Corp_Word, pin' } });
    ui = createWebApp(t.ctx, { ui: true });
    await seedDag(t.ds, makeDag('conf_dag', [makeTask('only')]));
    await seedRun(t.ds, { dagId: 'conf_dag', runId: RUN_ID, logicalDate: '2026-03-04T00:00:00.000Z', conf: CONF });
  });
  afterAll(async () => t?.close());

  const uiPage = async (role: Role, url: string): Promise<string> => {
    const login = await request(ui).post('/login').send({ username: role, password: PASSWORDS[role] }).expect(200);
    const cookies = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    return (await request(ui).get(url).set('Cookie', cookies).expect(200)).text;
  };
  const opCall = (method: 'get' | 'post', url: string, body?: object) =>
    request(t.app)[method](url).set('Authorization', t.basic('op')).send(body).expect(200);

  const apiConf = async (role: Role, url: string): Promise<unknown> => {
    const res = await request(t.app).get(url).set('Authorization', t.basic(role)).expect(200);
    return (res.body as { conf?: unknown; dag_runs?: Array<{ conf: unknown }> }).conf ?? res.body.dag_runs?.[0].conf;
  };

  it('run conf: *** for viewers in the API, as given for op and admin', async () => {
    const masked = { table: 'sales', db_password: '***', nested: { corp_word: '***' } };
    for (const url of [
      '/api/v1/dags/conf_dag/dagRuns',
      `/api/v1/dags/conf_dag/dagRuns/${encodeURIComponent(RUN_ID)}`,
    ]) {
      expect(await apiConf('viewer', url)).toEqual(masked);
      expect(await apiConf('op', url)).toEqual(CONF);
      expect(await apiConf('admin', url)).toEqual(CONF);
    }
    const listed = await request(t.app)
      .post('/api/v1/dags/~/dagRuns/list')
      .set('Authorization', t.basic('viewer'))
      .send({ dag_ids: ['conf_dag'] })
      .expect(200);
    expect(listed.body.dag_runs[0].conf).toEqual(masked);
  });

  it('run conf: *** for viewers on the grid page', async () => {
    const url = `/dags/conf_dag/grid?run_id=${encodeURIComponent(RUN_ID)}`;
    const viewer = await uiPage('viewer', url);
    expect(viewer).toContain('sales');
    expect(viewer).not.toContain('conf-pw-2e7f');
    expect(viewer).not.toContain('conf-word-91aa');
    expect(await uiPage('op', url)).toContain('conf-pw-2e7f');
  });

  it('variables: *** in the API answers but the single-item GET', async () => {
    expect((await opCall('post', '/api/v1/variables', { key: 'my_corp_word', value: VAR_SECRET })).body.value).toBe(
      '***',
    );
    const list = await opCall('get', '/api/v1/variables');
    expect(list.body.variables).toContainEqual({ key: 'my_corp_word', description: null });
    expect(list.text).not.toContain(VAR_SECRET);
    expect((await opCall('get', '/api/v1/variables/my_corp_word')).body.value).toBe(VAR_SECRET);
  });

  it('connection extras: *** under sensitive keys at any depth in the API', async () => {
    const extra = JSON.stringify({ region: 'eu', account: { pin_code: EXTRA_SECRET }, token: 't-1234' });
    const created = await opCall('post', '/api/v1/connections', { connection_id: 'corp', conn_type: 'http', extra });
    const masked = { region: 'eu', account: { pin_code: '***' }, token: '***' };
    expect(JSON.parse(created.body.extra as string)).toEqual(masked);
    expect(JSON.parse((await opCall('get', '/api/v1/connections/corp')).body.extra as string)).toEqual(masked);
  });

  it('variables and connection extras: *** on the UI admin pages', async () => {
    const variables = await uiPage('op', '/admin/variables');
    expect(variables).toContain('my_corp_word');
    expect(variables).not.toContain(VAR_SECRET);
    const connections = await uiPage('op', '/admin/connections');
    expect(connections).toContain('region');
    expect(connections).not.toContain(EXTRA_SECRET);
  });
});
