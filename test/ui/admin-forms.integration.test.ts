import request from 'supertest';
import { AuditLogEntity, ConnectionEntity, PoolEntity, VariableEntity } from '../../src/db/entities';
import { ADMIN, OP, VIEWER, uiTestAppFor, csrfFor } from './helpers/ui-fixtures';

/** The admin forms' server side: CSRF, roles, one-line errors in the form, secrets kept and hidden. */
describe('UI admin forms', () => {
  const t = uiTestAppFor('each');

  const post = (url: string, fields: Record<string, string>, user = OP, csrf = csrfFor(user.split(':')[0])) =>
    request(t.app)
      .post(url)
      .set('x-test-user', user)
      .type('form')
      .send({ _csrf: csrf, ...fields });
  const get = (url: string, user = OP) => request(t.app).get(url).set('x-test-user', user);

  it('refuses a post without the CSRF token, and a viewer with one', async () => {
    const noToken = await post('/admin/pools', { name: 'p', slots: '1' }, OP, '');
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('Missing or invalid CSRF token');
    expect((await post('/admin/pools', { name: 'p', slots: '1' }, VIEWER)).status).toBe(403);
    expect((await post('/admin/users', { username: 'u', password: 'x', role: 'admin' }, OP)).status).toBe(403);
    expect(await t.ds.getRepository(PoolEntity).countBy({ pool: 'p' })).toBe(0);
  });

  it('shows bad input as a one-line error in the form, with status 400, and saves nothing', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/admin/variables', { key: 'v', value: '[1, 2', is_json: 'on' }, 'value is not valid JSON'],
      ['/admin/variables', { key: '', value: 'x' }, 'key must not be empty'],
      ['/admin/connections', { conn_id: 'c', conn_type: 'http', extra: '[1]' }, 'extra must be a JSON object'],
      ['/admin/connections', { conn_id: 'c', conn_type: 'http', port: '70000' }, "port '70000' must be a whole"],
      ['/admin/pools', { name: 'p', slots: 'many' }, "slots 'many' must be a whole number"],
    ];
    for (const [url, fields, message] of cases) {
      const res = await post(url, fields);
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.text.replace(/&#39;/g, "'")).toMatch(
        new RegExp(`role="alert">${message.replace(/[[\]()]/g, '\\$&')}[^<\n]*</div>`),
      );
    }
    const bad = await post('/admin/users', { username: 'has space', password: 'x', role: 'op' }, ADMIN);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('invalid username &#39;has space&#39;');
    expect(await t.ds.getRepository(VariableEntity).count()).toBe(0);
    expect(await t.ds.getRepository(ConnectionEntity).count()).toBe(0);
  });

  it('keeps a secret variable and a connection password left empty, and never shows them', async () => {
    expect((await post('/admin/variables', { key: 'db_password', value: 'hunter2' })).status).toBe(303);
    const form = await get('/admin/variables/edit?key=db_password');
    expect(form.text).not.toContain('hunter2');
    expect((await post('/admin/variables', { original_key: 'db_password', value: '', description: 'd' })).status).toBe(
      303,
    );
    expect(await t.ds.getRepository(VariableEntity).findOneByOrFail({ key: 'db_password' })).toMatchObject({
      val: 'hunter2',
      description: 'd',
    });
    // a failed save of a secret does not echo what was typed
    const failed = await post('/admin/variables', { original_key: 'db_password', value: '{oops', is_json: 'on' });
    expect(failed.status).toBe(400);
    expect(failed.text).not.toContain('{oops');

    await post('/admin/connections', {
      conn_id: 'api',
      conn_type: 'http',
      password: 'pw1',
      extra: '{"token": "t0k", "nested": {"secret": "s3c"}, "timeout": 5}',
    });
    const edit = await get('/admin/connections/edit?conn_id=api');
    expect(edit.text).not.toMatch(/pw1|t0k|s3c/);
    const extra = /name="extra"[^>]*>([^<]*)</.exec(edit.text)![1].replace(/&quot;/g, '"');
    const changed = extra.replace('"timeout":5', '"timeout":9');
    expect(
      (await post('/admin/connections', { original_conn_id: 'api', conn_type: 'http', extra: changed })).status,
    ).toBe(303);
    const row = await t.ds.getRepository(ConnectionEntity).findOneByOrFail({ connId: 'api' });
    expect(row.password).toBe('pw1');
    expect(JSON.parse(row.extra!)).toEqual({ token: 't0k', nested: { secret: 's3c' }, timeout: 9 });
    await post('/admin/connections', { original_conn_id: 'api', conn_type: 'http', clear_password: 'on' });
    expect((await t.ds.getRepository(ConnectionEntity).findOneByOrFail({ connId: 'api' })).password).toBeNull();

    const audit = await t.ds.getRepository(AuditLogEntity).find({ order: { id: 'ASC' } });
    expect(audit.map((row) => [row.event, row.owner])).toEqual([
      ['variable_create', 'otto'],
      ['variable_edit', 'otto'],
      ['connection_create', 'otto'],
      ['connection_edit', 'otto'],
      ['connection_edit', 'otto'],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/hunter2|pw1|t0k|s3c/);
  });

  it('refuses to delete default_pool and an admin their own user', async () => {
    const pool = await post('/admin/pools/delete', { name: 'default_pool', confirmed: 'yes' });
    expect(pool.status).toBe(400);
    expect(pool.text).toContain('default_pool cannot be deleted');
    const self = await post('/admin/users/delete', { username: 'ada', confirmed: 'yes' }, ADMIN);
    expect(self.status).toBe(400);
    expect(self.text).toContain('you cannot delete your own user');
  });
});
