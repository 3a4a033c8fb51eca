import request from 'supertest';
import { createWebApp } from '../../src/web/app';
import { makeDag, makeTask } from '../helpers/serialized-dags';
import { ApiTestApp, createApiTestApp, PASSWORDS, type Role } from './helpers/api-test-app';
import { seedDag, seedRun } from './helpers/api-test-app';

const RUN_ID = 'manual__2026-03-04T00:00:00+00:00';
const CONF = { table: 'sales', db_password: 'conf-pw-2e7f', nested: { corp_word: 'conf-word-91aa' } };

describe('sensitive keys of run conf (contract §6)', () => {
  let t: ApiTestApp;
  let ui: ReturnType<typeof createWebApp>;
  beforeAll(async () => {
    t = await createApiTestApp('sqlite', { env: { DAGCTL__CORE__SENSITIVE_VAR_CONN_NAMES: 'corp_word' } });
    ui = createWebApp(t.ctx, { ui: true });
    await seedDag(t.ds, makeDag('conf_dag', [makeTask('only')]));
    await seedRun(t.ds, { dagId: 'conf_dag', runId: RUN_ID, logicalDate: '2026-03-04T00:00:00.000Z', conf: CONF });
  });
  afterAll(async () => t?.close());

  const apiConf = async (role: Role, url: string): Promise<unknown> => {
    const res = await request(t.app).get(url).set('Authorization', t.basic(role)).expect(200);
    return (res.body as { conf?: unknown; dag_runs?: Array<{ conf: unknown }> }).conf ?? res.body.dag_runs?.[0].conf;
  };

  it('are *** for viewers in the API, as given for op and admin', async () => {
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

  it('are *** for viewers on the grid page', async () => {
    const page = async (role: Role): Promise<string> => {
      const login = await request(ui).post('/login').send({ username: role, password: PASSWORDS[role] }).expect(200);
      const cookies = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
      const res = await request(ui)
        .get(`/dags/conf_dag/grid?run_id=${encodeURIComponent(RUN_ID)}`)
        .set('Cookie', cookies)
        .expect(200);
      return res.text;
    };
    const viewer = await page('viewer');
    expect(viewer).toContain('sales');
    expect(viewer).not.toContain('conf-pw-2e7f');
    expect(viewer).not.toContain('conf-word-91aa');
    expect(await page('op')).toContain('conf-pw-2e7f');
  });
});
