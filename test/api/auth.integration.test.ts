import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { FakeClock } from '../../src/core/clock';
import { execSql } from '../../src/db/sql';
import { createWebApp } from '../../src/web/app';
import { adminPasswordFile, ensureAdminUser } from '../../src/auth/ensure-admin-user';
import { SECRET_KEY_FILE, resolveSecretKey } from '../../src/auth/secret-key';
import { safeRedirectTarget } from '../../src/auth/safe-redirect';
import { ApiTestApp, PASSWORDS, basicHeader, createApiTestApp } from './helpers/api-test-app';

function cookieHeader(res: request.Response): string[] {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return raw ?? [];
}

function cookieValue(res: request.Response, name: string): string | undefined {
  const line = cookieHeader(res).find((c) => c.startsWith(`${name}=`));
  return line ? decodeURIComponent(line.slice(name.length + 1).split(';')[0]) : undefined;
}

/** Log in with JSON and return the cookies to send and the CSRF token. */
async function login(t: ApiTestApp, username: string, password: string) {
  const res = await request(t.app).post('/login').send({ username, password }).expect(200);
  const session = cookieValue(res, 'dagctl_session')!;
  const csrf = res.body.csrf_token as string;
  return { res, csrf, cookie: `dagctl_session=${encodeURIComponent(session)}; dagctl_csrf=${csrf}` };
}

describe('web authentication', () => {
  let t: ApiTestApp;
  beforeAll(async () => {
    t = await createApiTestApp('sqlite', { loginRateLimit: { windowMs: 60_000, limit: 3 } });
  });
  afterAll(async () => t?.close());

  it('logs in with JSON, sets HttpOnly SameSite=Lax session cookies, and serves the API with them', async () => {
    const { res, cookie } = await login(t, 'op', PASSWORDS.op);
    expect(res.body).toMatchObject({ username: 'op', role: 'op' });
    const session = cookieHeader(res).find((c) => c.startsWith('dagctl_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).not.toMatch(/Secure/i); // plain http
    const csrfCookie = cookieHeader(res).find((c) => c.startsWith('dagctl_csrf='))!;
    expect(csrfCookie).not.toMatch(/HttpOnly/i); // scripts echo it in X-CSRF-Token
    const me = await request(t.app).get('/api/v1/x-dagctl/whoami').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual({ username: 'op', role: 'op', auth_method: 'session' });
    const row = await execSql<{ last_login: string | null }>(
      t.ds,
      "SELECT last_login FROM dagctl_user WHERE username = 'op'",
    );
    expect(row.records[0].last_login).toBeTruthy();
  });

  it('marks cookies Secure behind TLS (trusted proxy) ', async () => {
    const app = createWebApp(t.ctx, { ui: false, trustProxy: true });
    const res = await request(app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'op', password: PASSWORDS.op })
      .expect(200);
    expect(cookieHeader(res).find((c) => c.startsWith('dagctl_session='))).toMatch(/Secure/);
  });

  it('refuses cookie-authenticated state changes without the CSRF token, accepts them with it', async () => {
    const { cookie, csrf } = await login(t, 'op', PASSWORDS.op);
    const without = await request(t.app)
      .post('/api/v1/pools')
      .set('Cookie', cookie)
      .send({ name: 'csrf_pool', slots: 1 });
    expect(without.status).toBe(403);
    expect(without.body.detail).toMatch(/CSRF/);
    const wrong = await request(t.app)
      .post('/api/v1/pools')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', 'nope')
      .send({ name: 'csrf_pool', slots: 1 });
    expect(wrong.status).toBe(403);
    await request(t.app)
      .post('/api/v1/pools')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .send({ name: 'csrf_pool', slots: 1 })
      .expect(200);
    // A DELETE needs no body, only the token.
    await request(t.app).delete('/api/v1/pools/csrf_pool').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    // Basic auth needs no CSRF token: other sites cannot make browsers send it.
    await request(t.app)
      .post('/api/v1/pools')
      .set('Authorization', t.basic('op'))
      .send({ name: 'basic_pool', slots: 1 })
      .expect(200);
  });

  it('logs out: the session is gone server-side, even if the cookie is replayed', async () => {
    const { cookie, csrf } = await login(t, 'viewer', PASSWORDS.viewer);
    await request(t.app).get('/api/v1/dags').set('Cookie', cookie).expect(200);
    const out = await request(t.app)
      .post('/logout')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .set('Accept', 'application/json');
    expect(out.status).toBe(204);
    expect((await request(t.app).get('/api/v1/dags').set('Cookie', cookie)).status).toBe(401);
  });

  it('refuses a tampered session cookie', async () => {
    const { cookie } = await login(t, 'admin', PASSWORDS.admin);
    // Change the first character to a different one (replacing it with itself would tamper nothing).
    const tampered = cookie.replace(
      /dagctl_session=([^;]+)/,
      (_m, v: string) => `dagctl_session=${v[0] === 'x' ? 'y' : 'x'}${v.slice(1)}`,
    );
    expect((await request(t.app).get('/api/v1/dags').set('Cookie', tampered)).status).toBe(401);
  });

  it('logs in with the HTML form (CSRF double submit) and redirects only to local paths', async () => {
    const anonymousToken = 'form-token-0123456789abcdef';
    const ok = await request(t.app)
      .post('/login')
      .set('Cookie', `dagctl_csrf=${anonymousToken}`)
      .type('form')
      .send({ username: 'viewer', password: PASSWORDS.viewer, _csrf: anonymousToken, next: '/dags/example?tab=grid' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/dags/example?tab=grid');
    const evil = await request(t.app)
      .post('/login')
      .set('Cookie', `dagctl_csrf=${anonymousToken}`)
      .type('form')
      .send({ username: 'viewer', password: PASSWORDS.viewer, _csrf: anonymousToken, next: '//evil.example/' });
    expect(evil.headers.location).toBe('/');
    const noToken = await request(t.app)
      .post('/login')
      .type('form')
      .send({ username: 'viewer', password: PASSWORDS.viewer });
    expect(noToken.status).toBe(303);
    expect(noToken.headers.location).toMatch(/^\/login\?error=csrf/);
    expect(cookieValue(noToken, 'dagctl_session')).toBeUndefined();
  });

  it('sends browsers without a session to /login and API clients a 401', async () => {
    const page = await request(t.app).get('/').set('Accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2F');
    expect((await request(t.app).get('/metrics')).status).toBe(401);
  });

  it('rate-limits failed logins per client, not successful ones', async () => {
    const app = createWebApp(t.ctx, { ui: false, loginRateLimit: { windowMs: 60_000, limit: 3 } });
    for (let i = 0; i < 4; i++)
      await request(app).post('/login').send({ username: 'op', password: PASSWORDS.op }).expect(200);
    for (let i = 0; i < 3; i++)
      expect((await request(app).post('/login').send({ username: 'op', password: 'wrong' })).status).toBe(401);
    const limited = await request(app).post('/login').send({ username: 'op', password: PASSWORDS.op });
    expect(limited.status).toBe(429);
    expect(limited.body.title).toBe('Too Many Requests');
  });

  it('ends sessions when they expire', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const app = createWebApp({ ...t.ctx, clock }, { ui: false, sessionCacheMs: 0 });
    const res = await request(app).post('/login').send({ username: 'viewer', password: PASSWORDS.viewer }).expect(200);
    const cookie = `dagctl_session=${encodeURIComponent(cookieValue(res, 'dagctl_session')!)}`;
    await request(app).get('/api/v1/dags').set('Cookie', cookie).expect(200);
    clock.advance('13h'); // webserver.session_lifetime is 12h
    expect((await request(app).get('/api/v1/dags').set('Cookie', cookie)).status).toBe(401);
  });

  it('answers a burst of concurrent Basic requests (one joined bcrypt check) each by its own password', async () => {
    const app = createWebApp(t.ctx, { ui: false });
    const right = basicHeader('viewer', PASSWORDS.viewer);
    const wrong = basicHeader('viewer', `${PASSWORDS.viewer}-not`);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(app)
          .get('/api/v1/dags')
          .set('Authorization', i % 4 === 3 ? wrong : right),
      ),
    );
    expect(burst.map((res) => res.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 4 === 3 ? 401 : 200)));
  });

  it('refuses a deleted user on the very next request, although the password check is cached', async () => {
    const { createUser, deleteUser } = await import('../../src/services/users');
    await createUser(t.ctx, { username: 'temp', password: 'temp-pw', role: 'viewer' });
    const app = createWebApp(t.ctx, { ui: false });
    const header = basicHeader('temp', 'temp-pw');
    await request(app).get('/api/v1/dags').set('Authorization', header).expect(200);
    await deleteUser(t.ctx, 'temp');
    expect((await request(app).get('/api/v1/dags').set('Authorization', header)).status).toBe(401);
  });

  it('applies a password changed elsewhere (another process, no cache cleared) on the very next request', async () => {
    const { createUser, updateUser } = await import('../../src/services/users');
    await createUser(t.ctx, { username: 'rotating', password: 'old-pw', role: 'viewer' });
    const app = createWebApp(t.ctx, { ui: false });
    const before = basicHeader('rotating', 'old-pw');
    await request(app).get('/api/v1/dags').set('Authorization', before).expect(200);
    await updateUser(t.ctx, 'rotating', { password: 'new-pw' });
    expect((await request(app).get('/api/v1/dags').set('Authorization', before)).status).toBe(401);
    await request(app).get('/api/v1/dags').set('Authorization', basicHeader('rotating', 'new-pw')).expect(200);
  });

  it('sets security headers with a self-only CSP and hides the framework', async () => {
    const res = await request(t.app).get('/api/v1/health').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:\/\//);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('never leaks a stack trace on unexpected errors', async () => {
    // Every query fails, through the DataSource and through raw SQL (execSql) alike.
    const failing = { query: () => Promise.reject(new Error('boom at /secret/path.ts:1')), release: async () => {} };
    const manager = { connection: { options: t.ds.options, createQueryRunner: () => failing } };
    const app = createWebApp(
      { ...t.ctx, dataSource: { ...t.ds, query: failing.query, manager } as never },
      { ui: false, secretKey: 'k' },
    );
    const res = await request(app).get('/api/v1/dags').set('Authorization', t.basic('viewer'));
    expect(res.status).toBe(500);
    expect(res.body.detail).toBe('internal server error; the server log has the details');
    expect(res.text).not.toContain('/secret/path.ts');
    expect(res.type).toBe('application/problem+json');
  });
});

describe('secret key and the first admin user', () => {
  let t: ApiTestApp;
  beforeAll(async () => {
    t = await createApiTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('generates a secret key once, keeps it in a 0600 file, and prefers the configured one', () => {
    const config = { home: t.home, webserver: { ...t.ctx.config.webserver, secret_key: '' } };
    const first = resolveSecretKey(config);
    const file = path.join(t.home, SECRET_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveSecretKey(config)).toBe(first);
    expect(resolveSecretKey({ ...config, webserver: { ...config.webserver, secret_key: 'configured' } })).toBe(
      'configured',
    );
  });

  it('keeps sessions valid across a restart (a new app with the persisted key)', async () => {
    const res = await request(t.app).post('/login').send({ username: 'admin', password: PASSWORDS.admin }).expect(200);
    const cookie = `dagctl_session=${encodeURIComponent(cookieValue(res, 'dagctl_session')!)}`;
    const restarted = createWebApp(t.ctx, { ui: false });
    await request(restarted).get('/api/v1/dags').set('Cookie', cookie).expect(200);
  });

  it('ensureAdminUser creates admin with a random password only on a fresh install', async () => {
    await execSql(t.ds, 'DELETE FROM dagctl_user');
    const created = await ensureAdminUser(t.ctx);
    expect(created.created).toBe(true);
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const file = adminPasswordFile(t.ctx.config);
    expect(created.file).toBe(file);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(created.password);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = await ensureAdminUser(t.ctx);
    expect(again).toEqual({ created: false, file });
    const app = createWebApp(t.ctx, { ui: false });
    const me = await request(app)
      .get('/api/v1/x-dagctl/whoami')
      .set('Authorization', basicHeader('admin', created.password!))
      .expect(200);
    expect(me.body.role).toBe('admin');
  });

  it('ensureAdminUser creates admin with a given password (DAGCTL_ADMIN_PASSWORD), writing no file', async () => {
    await execSql(t.ds, 'DELETE FROM dagctl_user');
    const file = adminPasswordFile(t.ctx.config);
    fs.rmSync(file, { force: true });
    expect(await ensureAdminUser(t.ctx, { password: 'given-S3cret' })).toEqual({ created: true, passwordGiven: true });
    expect(fs.existsSync(file)).toBe(false);
    const app = createWebApp(t.ctx, { ui: false });
    await request(app)
      .get('/api/v1/x-dagctl/whoami')
      .set('Authorization', basicHeader('admin', 'given-S3cret'))
      .expect(200);
    // Only a fresh install takes it: a later, different value changes nothing.
    expect(await ensureAdminUser(t.ctx, { password: 'another' })).toEqual({ created: false });
    await request(app).get('/api/v1/x-dagctl/whoami').set('Authorization', basicHeader('admin', 'another')).expect(401);
  });

  it('follows only local redirect targets', () => {
    expect(safeRedirectTarget('/dags')).toBe('/dags');
    for (const bad of ['//evil.com', 'https://evil.com', '/\\evil.com', 'javascript:alert(1)', '/ok\nLocation: x', 42])
      expect(safeRedirectTarget(bad)).toBe('/');
  });
});
