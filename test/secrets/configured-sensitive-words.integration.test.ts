import request from 'supertest';
import { createWebApp } from '../../src/web/app';
import { ApiTestApp, createApiTestApp, PASSWORDS } from '../api/helpers/api-test-app';

/**
 * Issue 12: the API's connection extras and the UI's variables and connections pages kept their
 * own lists of sensitive words and ignored `core.sensitive_var_conn_names`.
 */
const VAR_SECRET = 'var-secret-5c1d';
const EXTRA_SECRET = 'extra-secret-77be';

describe('words of core.sensitive_var_conn_names (contract §1, §6)', () => {
  let t: ApiTestApp;
  let ui: ReturnType<typeof createWebApp>;
  beforeAll(async () => {
    t = await createApiTestApp('sqlite', { env: { DAGCTL__CORE__SENSITIVE_VAR_CONN_NAMES: 'Corp_Word, pin' } });
    ui = createWebApp(t.ctx, { ui: true });
  });
  afterAll(async () => t?.close());

  const api = () => ({
    post: (url: string, body: object) =>
      request(t.app).post(url).set('Authorization', t.basic('op')).send(body).expect(200),
    get: (url: string) => request(t.app).get(url).set('Authorization', t.basic('op')).expect(200),
  });

  it('mask a variable in the API answers, except the single-item GET', async () => {
    const created = await api().post('/api/v1/variables', { key: 'my_corp_word', value: VAR_SECRET });
    expect(created.body.value).toBe('***');
    const list = await api().get('/api/v1/variables');
    expect(list.body.variables).toContainEqual({ key: 'my_corp_word', description: null });
    expect(list.text).not.toContain(VAR_SECRET);
    expect((await api().get('/api/v1/variables/my_corp_word')).body.value).toBe(VAR_SECRET);
  });

  it('mask connection extra fields in the API', async () => {
    const extra = JSON.stringify({ region: 'eu', account: { pin_code: EXTRA_SECRET }, token: 't-1234' });
    const created = await api().post('/api/v1/connections', { connection_id: 'corp', conn_type: 'http', extra });
    const masked = { region: 'eu', account: { pin_code: '***' }, token: '***' };
    expect(JSON.parse(created.body.extra as string)).toEqual(masked);
    expect(JSON.parse((await api().get('/api/v1/connections/corp')).body.extra as string)).toEqual(masked);
  });

  it('mask variables and connection extras on the UI admin pages', async () => {
    const login = await request(ui).post('/login').send({ username: 'op', password: PASSWORDS.op }).expect(200);
    const cookies = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const page = async (url: string): Promise<string> =>
      (await request(ui).get(url).set('Cookie', cookies).expect(200)).text;
    const variables = await page('/admin/variables');
    expect(variables).toContain('my_corp_word');
    expect(variables).not.toContain(VAR_SECRET);
    const connections = await page('/admin/connections');
    expect(connections).toContain('region');
    expect(connections).not.toContain(EXTRA_SECRET);
  });
});
