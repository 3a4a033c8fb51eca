import request from 'supertest';
import { createApiToken } from '../../src/auth/api-tokens';
import { execSql } from '../../src/db/sql';
import { createUser, deleteUser } from '../../src/services/users';
import { createWebApp } from '../../src/web/app';
import { DATABASE_KINDS } from '../helpers/test-database';
import { ApiTestApp, PASSWORDS, basicHeader, createApiTestApp } from './helpers/api-test-app';

const LIMIT = { windowMs: 60_000, limit: 3 };

// Regression tests for issue 11: Basic-auth failures were not rate limited, the login form's limit
// (per address) locked everyone behind one proxy out, and a deleted user kept API access ~60 s.
describe.each(DATABASE_KINDS)('login limits and user changes on %s', (kind) => {
  let t: ApiTestApp;
  beforeAll(async () => {
    t = await createApiTestApp(kind, { loginRateLimit: LIMIT });
  });
  afterAll(async () => t?.close());

  it('rate limits Basic-auth failures per (user, client) with 429 and Retry-After', async () => {
    const app = createWebApp(t.ctx, { ui: false, loginRateLimit: LIMIT });
    const wrong = basicHeader('op', 'guess');
    for (let i = 0; i < 3; i++)
      expect((await request(app).get('/api/v1/dags').set('Authorization', wrong)).status).toBe(401);
    // X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
    const limited = await request(app)
      .get('/api/v1/dags')
      .set('Authorization', t.basic('op'))
      .set('X-Forwarded-For', '203.0.113.9');
    expect(`${limited.status} ${limited.type}`).toBe('429 application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.detail).toMatch(/too many failed logins for user 'op'/);
    // Another user from the same address is not locked out.
    await request(app).get('/api/v1/dags').set('Authorization', t.basic('viewer')).expect(200);
  });

  it('keys the login form the same way, and believes X-Forwarded-For only from trusted proxies', async () => {
    const ctx = { ...t.ctx, config: { ...t.ctx.config, webserver: { ...t.ctx.config.webserver } } };
    ctx.config.webserver.trusted_proxies = '127.0.0.1, ::1, ::ffff:127.0.0.1';
    const app = createWebApp(ctx, { ui: false, loginRateLimit: LIMIT });
    const attempt = (username: string, password: string, client: string) =>
      request(app).post('/login').set('X-Forwarded-For', client).send({ username, password });
    for (let i = 0; i < 3; i++) expect((await attempt('op', 'guess', '198.51.100.7')).status).toBe(401);
    const locked = await attempt('op', PASSWORDS.op, '198.51.100.7');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Behind the same proxy: another client with the right password, and another user, log in.
    await attempt('op', PASSWORDS.op, '198.51.100.8').expect(200);
    await attempt('viewer', PASSWORDS.viewer, '198.51.100.7').expect(200);
    // Basic auth shares the count: the guesser cannot switch to it.
    const basic = await request(app)
      .get('/api/v1/dags')
      .set('X-Forwarded-For', '198.51.100.7')
      .set('Authorization', t.basic('op'));
    expect(basic.status).toBe(429);
  });

  it('refuses an invalid webserver.trusted_proxies entry with a clear error', () => {
    const ctx = { ...t.ctx, config: { ...t.ctx.config, webserver: { ...t.ctx.config.webserver } } };
    ctx.config.webserver.trusted_proxies = '10.0.0.0/8, proxy.example';
    expect(() => createWebApp(ctx, { ui: false })).toThrow(/trusted_proxies: 'proxy.example' is not an IP/);
  });

  it('applies a deleted user or a changed role on the next request (Basic, token and session)', async () => {
    const app = createWebApp(t.ctx, { ui: false });
    await createUser(t.ctx, { username: 'mover', password: 'mover-pw', role: 'op' });
    const basic = basicHeader('mover', 'mover-pw');
    const { records } = await execSql<{ id: number }>(t.ds, "SELECT id FROM dagctl_user WHERE username = 'mover'");
    const token = await createApiToken(t.ds, { userId: Number(records[0].id), name: 'ci', now: new Date() });
    const login = await request(app).post('/login').send({ username: 'mover', password: 'mover-pw' }).expect(200);
    const cookie = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const whoami = async (auth: Record<string, string>) => {
      const res = await request(app).get('/api/v1/x-dagctl/whoami').set(auth);
      return res.status === 200 ? (res.body.role as string) : res.status;
    };
    const ways: Array<Record<string, string>> = [
      { Authorization: basic },
      { Authorization: `Bearer ${token.token}` },
      { Cookie: cookie },
    ];
    for (const way of ways) expect(await whoami(way)).toBe('op');
    // A role change made elsewhere (another process: the CLI) counts at once.
    await execSql(t.ds, "UPDATE dagctl_user SET role = 'viewer' WHERE username = 'mover'");
    for (const way of ways) expect(await whoami(way)).toBe('viewer');
    await deleteUser(t.ctx, 'mover');
    for (const way of ways) expect(await whoami(way)).toBe(401);
  });
});
