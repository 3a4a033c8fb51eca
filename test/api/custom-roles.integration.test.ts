import request from 'supertest';
import { createUser } from '../../src/services/users';
import { DATABASE_KINDS } from '../helpers/test-database';
import { ApiTestApp, basicHeader } from './helpers/api-test-app';
import { createExampleApi } from './helpers/example-api';
import type { OpenApiResponseValidator } from './helpers/openapi-validator';

type Method = 'get' | 'post' | 'patch' | 'delete';

const READER = basicHeader('rita', 'rita-pw-1');
const READ_ONLY = ['DAGs', 'DAG Runs', 'Task Instances'].map((resource) => ({
  action: { name: 'can_read' },
  resource: { name: resource },
}));

describe.each(DATABASE_KINDS)('custom roles on %s', (kind) => {
  let t: ApiTestApp;
  let validator: OpenApiResponseValidator;

  beforeAll(async () => {
    ({ t, validator } = await createExampleApi(kind));
  });
  afterAll(async () => t?.close());

  /** Call as `auth`, expect `status`; a 2xx JSON answer must validate against Airflow's document. */
  async function call(method: Method, path: string, url: string, auth: string, body?: object, status = 200) {
    const res = await request(t.app)[method](url).set('Authorization', auth).send(body);
    expect(`${res.status} ${res.status === status ? '' : res.text}`).toBe(`${status} `);
    if (status === 200) validator.validate(method, path, status, res.body);
    if (status >= 400) expect(res.type).toBe('application/problem+json');
    return res;
  }

  it('a role created through the API grants exactly its permissions, and a change counts at once', async () => {
    const admin = t.basic('admin');
    const created = await call('post', '/roles', '/api/v1/roles', admin, { name: 'Readers', actions: READ_ONLY });
    expect(created.body.name).toBe('Readers');
    expect(created.body.actions).toContainEqual({ action: { name: 'can_read' }, resource: { name: 'DAGs' } });
    await call('post', '/roles', '/api/v1/roles', admin, { name: 'readers', actions: [] }, 409);

    // A user holding it, given by name in any case.
    const user = await call('post', '/users', '/api/v1/users', admin, {
      username: 'rita',
      password: 'rita-pw-1',
      email: 'rita@example.com',
      first_name: 'Rita',
      last_name: 'Reader',
      roles: [{ name: 'READERS' }],
    });
    expect(user.body.roles).toEqual([{ name: 'Readers' }]);

    await call('get', '/dags', '/api/v1/dags', READER);
    const trigger = ['post', '/dags/{dag_id}/dagRuns', '/api/v1/dags/example_dag/dagRuns', READER] as const;
    const refused = await call(...trigger, { dag_run_id: 'by_rita' }, 403);
    expect(refused.body.detail).toMatch(/'can_create on DAG Runs'/);
    const pools = await call('get', '/pools', '/api/v1/pools', READER, undefined, 403);
    expect(pools.body.detail).toMatch(/'can_read on Pools'/);

    // The same Basic credentials (cached password check), no restart: the new permission counts.
    const patched = await call('patch', '/roles/{role_name}', '/api/v1/roles/readers?update_mask=actions', admin, {
      name: 'Readers',
      actions: [...READ_ONLY, { action: { name: 'can_create' }, resource: { name: 'DAG Runs' } }],
    });
    expect(patched.body.actions).toHaveLength(4);
    await call(...trigger, { dag_run_id: 'by_rita' });
    await call('get', '/pools', '/api/v1/pools', READER, undefined, 403);

    const one = await call('get', '/roles/{role_name}', '/api/v1/roles/Readers', admin);
    expect(one.body.actions).toContainEqual({ action: { name: 'can_create' }, resource: { name: 'DAG Runs' } });
    const all = await call('get', '/roles', '/api/v1/roles', admin);
    expect(all.body.roles.map((r: { name: string }) => r.name)).toEqual(['Admin', 'Op', 'Viewer', 'Readers']);

    // Held by a user: not deleted, and the answer says by how many.
    const held = await call('delete', '/roles/{role_name}', '/api/v1/roles/Readers', admin, undefined, 409);
    expect(held.body.detail).toMatch(/held by 1 user/);
    // Another role for the user: the role can go, and the user's access follows at once.
    await call('patch', '/users/{username}', '/api/v1/users/rita?update_mask=roles', admin, {
      username: 'rita',
      email: 'rita@example.com',
      roles: [{ name: 'Viewer' }],
    });
    await call('get', '/pools', '/api/v1/pools', READER);
    await call(...trigger, { dag_run_id: 'by_rita_2' }, 403);
    const gone = await request(t.app).delete('/api/v1/roles/readers').set('Authorization', admin);
    expect(gone.status).toBe(204);
    await call('get', '/roles/{role_name}', '/api/v1/roles/Readers', admin, undefined, 404);

    // Every change is in the audit log with who made it.
    const events = await call('get', '/eventLogs', '/api/v1/eventLogs?limit=100', t.basic('viewer'));
    const roleEvents = (events.body.event_logs as Array<{ event: string; owner: string }>).filter((e) =>
      e.event.startsWith('role_'),
    );
    expect(roleEvents.map((e) => [e.event, e.owner])).toEqual([
      ['role_create', 'admin'],
      ['role_edit', 'admin'],
      ['role_delete', 'admin'],
    ]);
  });

  it('refuses unknown actions and resources (400, naming them), built-in roles (400), non-admins (403)', async () => {
    const admin = t.basic('admin');
    const bad = (action: string, resource: string) => ({
      name: 'Broken',
      actions: [{ action: { name: action }, resource: { name: resource } }],
    });
    const noAction = await call('post', '/roles', '/api/v1/roles', admin, bad('can_fly', 'DAGs'), 400);
    expect(noAction.body.detail).toMatch(/unknown action 'can_fly'/);
    const noResource = await call('post', '/roles', '/api/v1/roles', admin, bad('can_read', 'Dragons'), 400);
    expect(noResource.body.detail).toMatch(/unknown resource 'Dragons'/);
    await call('post', '/roles', '/api/v1/roles', admin, { name: 'x'.repeat(65), actions: [] }, 400);
    await call('post', '/roles', '/api/v1/roles', admin, { name: 'Admin', actions: [] }, 409);
    await call('patch', '/roles/{role_name}', '/api/v1/roles/Op', admin, { name: 'Op', actions: [] }, 400);
    await call('delete', '/roles/{role_name}', '/api/v1/roles/viewer', admin, undefined, 400);
    await call('post', '/roles', '/api/v1/roles', t.basic('op'), { name: 'Mine', actions: [] }, 403);
    // The same name twice at once: one is created, the other told it exists (never a 500).
    const twice = await Promise.all(
      [1, 2].map(() =>
        request(t.app).post('/api/v1/roles').set('Authorization', admin).send({ name: 'Twin', actions: [] }),
      ),
    );
    expect(twice.map((r) => r.status).sort()).toEqual([200, 409]);
    // A custom role may be given with a built-in one only if it is the only one named.
    await call('post', '/roles', '/api/v1/roles', admin, { name: 'Empty', actions: [] });
    await call(
      'post',
      '/users',
      '/api/v1/users',
      admin,
      { username: 'eve', password: 'pw', email: 'e@x.io', first_name: 'E', last_name: 'V', roles: [{ name: 'Nope' }] },
      400,
    );
  });

  it('keeps the built-in roles exactly as they were', async () => {
    const admin = t.basic('admin');
    const op = await call('get', '/roles/{role_name}', '/api/v1/roles/Op', admin);
    expect(op.body.actions).toContainEqual({ action: { name: 'can_edit' }, resource: { name: 'Pools' } });
    expect(op.body.actions).not.toContainEqual({ action: { name: 'can_read' }, resource: { name: 'Users' } });
    await call('get', '/pools', '/api/v1/pools', t.basic('viewer'));
    await call('post', '/pools', '/api/v1/pools', t.basic('viewer'), { name: 'p', slots: 1 }, 403);
    await call('get', '/users', '/api/v1/users', t.basic('op'), undefined, 403);
    await call('get', '/variables', '/api/v1/variables', t.basic('op'));
  });

  it('a user whose role has no permission on a resource reads nothing of it', async () => {
    await createUser(t.ctx, { username: 'nobody', password: 'nobody-pw', role: 'Empty' });
    const nobody = basicHeader('nobody', 'nobody-pw');
    await call('get', '/dags', '/api/v1/dags', nobody, undefined, 403);
    // Who they are and the version stay open to every logged-in user.
    const whoami = await request(t.app).get('/api/v1/x-dagctl/whoami').set('Authorization', nobody);
    expect(whoami.body).toMatchObject({ username: 'nobody', role: 'Empty' });
  });
});
