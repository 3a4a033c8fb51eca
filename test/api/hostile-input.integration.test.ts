import request from 'supertest';
import { DATABASE_KINDS } from '../helpers/test-database';
import { ApiTestApp, createApiTestApp } from './helpers/api-test-app';
import { seedExample } from './helpers/seed-example';

/** Nested `{"a": …}` objects, `depth` levels deep, as JSON text (built without recursion). */
function nestedJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

// Regression tests for issue 11's findings: on PostgreSQL a NUL byte or an integer ≥ 2^31 gave a
// 500, on SQLite a conf nested 10,000 levels deep did. Each must be a 400 problem on both.
describe.each(DATABASE_KINDS)('hostile input on %s', (kind) => {
  let t: ApiTestApp;

  beforeAll(async () => {
    t = await createApiTestApp(kind);
    await seedExample(t.ds, t.ctx.config.logging.base_log_folder);
  });
  afterAll(async () => t?.close());

  async function expect400(res: request.Response, detail: RegExp): Promise<void> {
    expect(`${res.status} ${res.type}`).toBe('400 application/problem+json');
    expect(res.body.detail).toMatch(detail);
    expect(res.text).not.toMatch(/\bat .+:\d+:\d+\)/); // no stack trace
  }

  const run = '/api/v1/dags/example_dag/dagRuns/run_1';

  it('refuses NUL bytes in the path, the query and the body', async () => {
    const op = t.basic('op');
    await expect400(await request(t.app).get('/api/v1/dags/exa%00mple').set('Authorization', op), /NUL/);
    await expect400(await request(t.app).get('/api/v1/variables/k%00').set('Authorization', t.basic('admin')), /NUL/);
    await expect400(await request(t.app).get('/api/v1/dags?dag_id_pattern=a%00b').set('Authorization', op), /NUL/);
    await expect400(
      await request(t.app)
        .post('/api/v1/dags/example_dag/dagRuns')
        .set('Authorization', op)
        .send({ dag_run_id: 'bad\u0000id' }),
      /body\.dag_run_id contains a NUL/,
    );
    await expect400(
      await request(t.app)
        .post('/api/v1/variables')
        .set('Authorization', t.basic('admin'))
        .send({ key: 'k', value: 'v', description: { nested: ['ok', 'x\u0000'] } }),
      /NUL/,
    );
    await expect400(
      await request(t.app).post('/api/v1/pools').set('Authorization', op).send({ 'na\u0000me': 1 }),
      /a key/,
    );
    const runs = await request(t.app).get('/api/v1/dags/example_dag/dagRuns').set('Authorization', op);
    expect(runs.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id)).not.toContain('bad\u0000id');
  });

  it('refuses integers outside the 32-bit range in the path, the query and the body', async () => {
    const viewer = t.basic('viewer');
    const big = String(2 ** 31);
    await expect400(await request(t.app).get(`/api/v1/importErrors/${big}`).set('Authorization', viewer), /2147483647/);
    await expect400(
      await request(t.app).get(`${run}/taskInstances/extract/logs/${big}`).set('Authorization', viewer),
      /task_try_number/,
    );
    await expect400(
      await request(t.app).get(`${run}/taskInstances/extract/${big}`).set('Authorization', viewer),
      /map_index/,
    );
    await expect400(
      await request(t.app).get(`/api/v1/dags?offset=99999999999999999999`).set('Authorization', viewer),
      /offset/,
    );
    await expect400(
      await request(t.app)
        .post('/api/v1/pools')
        .set('Authorization', t.basic('op'))
        .send({ name: 'huge', slots: 2 ** 31 }),
      /slots/,
    );
    // The largest int32 is still fine.
    const ok = await request(t.app)
      .post('/api/v1/pools')
      .set('Authorization', t.basic('op'))
      .send({ name: 'huge', slots: 2 ** 31 - 1 });
    expect(ok.status).toBe(200);
  });

  // Found by the API fuzz (seed 309211434): a 501-character host was a 500 on PostgreSQL.
  it('refuses strings longer than their columns, naming the field, and keeps nothing of them', async () => {
    const admin = t.basic('admin');
    const long = 'h'.repeat(501);
    await expect400(
      await request(t.app)
        .post('/api/v1/connections')
        .set('Authorization', admin)
        .send({ connection_id: 'too_long', conn_type: 'http', host: long }),
      /field 'host' is 501 characters long: at most 500/,
    );
    expect((await request(t.app).get('/api/v1/connections/too_long').set('Authorization', admin)).status).toBe(404);

    const fits = await request(t.app)
      .post('/api/v1/connections')
      .set('Authorization', admin)
      .send({ connection_id: 'fits', conn_type: 'http', host: 'h'.repeat(500) });
    expect(fits.status).toBe(200);
    await expect400(
      await request(t.app)
        .patch('/api/v1/connections/fits')
        .set('Authorization', admin)
        .send({ connection_id: 'fits', conn_type: 'http', schema: long }),
      /field 'schema'/,
    );
    const kept = await request(t.app).get('/api/v1/connections/fits').set('Authorization', admin);
    expect([kept.body.host.length, kept.body.schema]).toEqual([500, null]);
    // Characters are counted as the database counts them: 500 emoji are 1,000 UTF-16 units.
    const emoji = await request(t.app)
      .patch('/api/v1/connections/fits')
      .set('Authorization', admin)
      .send({ connection_id: 'fits', conn_type: 'http', schema: '\u{1F600}'.repeat(500) });
    expect([emoji.status, [...(emoji.body.schema as string)].length]).toEqual([200, 500]);

    await expect400(
      await request(t.app)
        .post('/api/v1/users')
        .set('Authorization', admin)
        .send({ username: 'longname', password: 'pw', roles: [{ name: 'Viewer' }], first_name: 'f'.repeat(257) }),
      /field 'first_name' is 257 characters long: at most 256/,
    );
    expect((await request(t.app).get('/api/v1/users/longname').set('Authorization', admin)).status).toBe(404);
  });

  // held_by was varchar(250) while a username may have 256 characters: a 500 on PostgreSQL.
  it('lets a user with the longest allowed name hold a task instance', async () => {
    const username = 'o'.repeat(256);
    const created = await request(t.app)
      .post('/api/v1/users')
      .set('Authorization', t.basic('admin'))
      .send({ username, password: 'pw', roles: [{ name: 'Op' }] });
    expect(created.status).toBe(200);
    const held = await request(t.app)
      .post('/api/v1/x-dagctl/dags/example_dag/dagRuns/run_3/taskInstances/transform/hold')
      .set('Authorization', `Basic ${Buffer.from(`${username}:pw`).toString('base64')}`)
      .send({ reason: 'checking' });
    expect([held.status, held.body.held_by]).toEqual([200, username]);
  });

  it('refuses JSON nested deeper than 64 levels, and accepts 60', async () => {
    const post = (body: string) =>
      request(t.app)
        .post('/api/v1/dags/example_dag/dagRuns')
        .set('Authorization', t.basic('op'))
        .set('Content-Type', 'application/json')
        .send(body);
    await expect400(await post(`{"dag_run_id":"deep","conf":${nestedJson(10_000)}}`), /nested deeper than 64/);
    await expect400(await post(`{"conf":${'['.repeat(500_000)}`), /nested deeper/);
    // Brackets inside strings do not count.
    const fine = await post(`{"dag_run_id":"fine","conf":{"s":"${'[{'.repeat(200)}\\"]"}}`);
    expect(fine.status).toBe(200);
    const nested = await post(`{"dag_run_id":"nested","conf":${nestedJson(60)}}`);
    expect(nested.status).toBe(200);
  });
});
