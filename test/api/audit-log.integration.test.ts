import os from 'node:os';
import request from 'supertest';
import { dagctl } from '../helpers/cli';
import { TEST_FERNET_KEY } from '../helpers/test-database';
import { createApiTestApp, type ApiTestApp } from './helpers/api-test-app';
import { seedExample } from './helpers/seed-example';

/** A change through each surface — CLI, REST API, web UI — shows up in /eventLogs with who made it. */
let t: ApiTestApp;

beforeAll(async () => {
  t = await createApiTestApp('sqlite', { ui: true });
  await seedExample(t.ds, t.ctx.config.logging.base_log_folder);
});
afterAll(async () => t?.close());

async function eventsOf(event: string): Promise<Array<Record<string, unknown>>> {
  const res = await request(t.app).get(`/api/v1/eventLogs?event=${event}`).set('Authorization', t.basic('viewer'));
  expect(res.status).toBe(200);
  return res.body.event_logs;
}

it('the CLI records the OS user, without the secret value', async () => {
  const env = {
    ...process.env,
    DAGCTL_HOME: t.home,
    DAGCTL__DATABASE__URL: t.ctx.config.database.url,
    DAGCTL__CORE__FERNET_KEY: TEST_FERNET_KEY,
  };
  const result = dagctl(['variables', 'set', 'api_password', 'cli-secret-value'], env);
  expect(result.status).toBe(0);
  const [event] = await eventsOf('variable_create');
  expect(event).toMatchObject({ owner: `cli:${os.userInfo().username}`, extra: '{"key":"api_password"}' });
  expect(JSON.stringify(event)).not.toContain('cli-secret-value');
});

it('the API records the authenticated user', async () => {
  const res = await request(t.app)
    .post('/api/v1/pools')
    .set('Authorization', t.basic('op'))
    .send({ name: 'audited', slots: 2 });
  expect(res.status).toBe(200);
  expect(await eventsOf('pool_create')).toEqual([
    expect.objectContaining({ owner: 'op', extra: '{"name":"audited","slots":2,"description":null}' }),
  ]);
});

it('the UI records the logged-in user', async () => {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const login = await agent
    .post('/login')
    .type('form')
    .send({ username: 'admin', password: 'admin-pw-1', _csrf: csrf });
  expect(login.status).toBe(303);
  const dagPage = await agent.get('/dags/example_dag/grid');
  const token = /name="_csrf" value="([^"]+)"/.exec(dagPage.text)?.[1];
  expect(token).toBeDefined();
  const paused = await agent
    .post('/dags/example_dag/pause')
    .type('form')
    .send({ _csrf: token, paused: 'true', confirmed: 'yes' });
  expect(paused.status).toBe(303);
  expect(await eventsOf('paused')).toEqual([expect.objectContaining({ dag_id: 'example_dag', owner: 'admin' })]);
});
