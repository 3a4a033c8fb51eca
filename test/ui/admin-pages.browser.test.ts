import type { Page } from 'playwright-core';
import { execSql } from '../../src/db/sql';
import { getConnection } from '../../src/services/connections';
import { getVariable } from '../../src/services/variables';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';

/**
 * The admin pages in a real browser: an admin creates, edits and deletes a variable, a connection
 * and a pool (and a user); a viewer sees no button and a forged POST with their own CSRF token is
 * refused. Each change is in the audit log under the user who made it.
 */
describe('admin pages in a browser', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  async function auditEvents(event: string): Promise<Array<{ owner: string; extra: string }>> {
    const { records } = await execSql<{ owner: string; extra: string }>(
      app.ctx.dataSource,
      'SELECT owner, extra FROM log WHERE event = ? ORDER BY id',
      [event],
    );
    return records;
  }

  async function submit(page: Page, selector: string, url: RegExp): Promise<void> {
    await Promise.all([page.waitForURL(url), page.click(selector)]);
  }

  /** Clicks the row's Delete, then confirms on the confirmation page. */
  async function deleteRow(page: Page, rowSelector: string, notice: string): Promise<void> {
    await page.click(`${rowSelector} button:has-text("Delete")`);
    await submit(page, '#confirm-button', new RegExp(`notice=${notice}`));
  }

  it('an admin creates, edits, deletes a variable; bad JSON refused in the form; secrets never shown', async () => {
    const page = await app.login('admin');
    await page.click('nav.mainnav a:has-text("Variables")');
    await submit(page, '#add-variable', /\/admin\/variables\/new/);
    await page.fill('input[name=key]', 'settings');
    await page.check('#is_json');
    await page.fill('textarea[name=value]', '{"batch": 10,}');
    await expect(page.locator('.json-status').textContent()).resolves.toContain('not valid JSON');
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/admin/variables') && r.request().method() === 'POST',
    );
    await page.click('#variable-form button[type=submit]');
    expect((await refused).status()).toBe(400);
    await expect(page.locator('.form-error').textContent()).resolves.toMatch(/^value is not valid JSON: /);
    await page.fill('textarea[name=value]', '{"batch": 10}');
    await page.fill('input[name=description]', 'Batch settings');
    await submit(page, '#variable-form button[type=submit]', /notice=variable_saved/);
    await expect(page.locator('tr[data-key="settings"]').textContent()).resolves.toContain('{"batch": 10}');

    await submit(page, 'tr[data-key="settings"] a:has-text("Edit")', /\/admin\/variables\/edit/);
    await page.fill('textarea[name=value]', '{"batch": 20}');
    await submit(page, '#variable-form button[type=submit]', /notice=variable_saved/);
    expect((await getVariable(app.ctx, 'settings')).value).toBe('{"batch": 20}');

    // a secret: masked in the list, empty in the form, kept when the box is left empty
    await page.goto(`${app.baseUrl}/admin/variables/new`);
    await page.fill('input[name=key]', 'api_token');
    await page.fill('textarea[name=value]', 'tok-s3cret-value');
    await submit(page, '#variable-form button[type=submit]', /notice=variable_saved/);
    expect(await page.content()).not.toContain('tok-s3cret-value');
    await submit(page, 'tr[data-key="api_token"] a:has-text("Edit")', /\/admin\/variables\/edit/);
    expect(await page.content()).not.toContain('tok-s3cret-value');
    await page.fill('input[name=description]', 'the token');
    await submit(page, '#variable-form button[type=submit]', /notice=variable_saved/);
    expect(await getVariable(app.ctx, 'api_token')).toEqual({
      key: 'api_token',
      value: 'tok-s3cret-value',
      description: 'the token',
    });

    await deleteRow(page, 'tr[data-key="settings"]', 'variable_deleted');
    expect(await page.locator('tr[data-key="settings"]').count()).toBe(0);
    const audit = [
      ...(await auditEvents('variable_create')),
      ...(await auditEvents('variable_edit')),
      ...(await auditEvents('variable_delete')),
    ];
    expect(audit.map((row) => row.owner)).toEqual(['admin', 'admin', 'admin', 'admin', 'admin']);
    expect(JSON.stringify(audit)).not.toContain('tok-s3cret-value');
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('an admin creates, edits and deletes a connection; the password is write-only', async () => {
    const page = await app.login('admin');
    await page.goto(`${app.baseUrl}/admin/connections`);
    await submit(page, '#add-connection', /\/admin\/connections\/new/);
    await page.fill('input[name=conn_id]', 'warehouse');
    await page.fill('input[name=conn_type]', 'postgres');
    await page.fill('input[name=host]', 'db.internal');
    await page.fill('input[name=port]', 'five');
    await page.fill('input[name=password]', 'pw-s3cret');
    await page.fill('textarea[name=extra]', '{"sslmode": "require", "api_key": "k3y-s3cret"}');
    await page.click('#connection-form button[type=submit]');
    await expect(page.locator('.form-error').textContent()).resolves.toBe(
      "port 'five' must be a whole number from 1 to 65535",
    );
    // the password typed is not sent back with the form
    expect(await page.locator('input[name=password]').inputValue()).toBe('');
    await page.fill('input[name=port]', '5432');
    await page.fill('input[name=password]', 'pw-s3cret');
    await submit(page, '#connection-form button[type=submit]', /notice=connection_saved/);
    const row = page.locator('tr[data-conn-id="warehouse"]');
    await expect(row.textContent()).resolves.toContain('db.internal');
    expect(await page.content()).not.toMatch(/pw-s3cret|k3y-s3cret/);

    // edit the host only: the password (left empty) and the masked extra secret keep their values
    await submit(page, 'tr[data-conn-id="warehouse"] a:has-text("Edit")', /\/admin\/connections\/edit/);
    expect(await page.content()).not.toMatch(/pw-s3cret|k3y-s3cret/);
    await expect(page.locator('textarea[name=extra]').inputValue()).resolves.toContain('"api_key":"***"');
    await page.fill('input[name=host]', 'db2.internal');
    await submit(page, '#connection-form button[type=submit]', /notice=connection_saved/);
    const saved = await getConnection(app.ctx, 'warehouse');
    expect(saved).toMatchObject({ host: 'db2.internal', port: 5432, password: 'pw-s3cret' });
    expect(JSON.parse(saved.extra!)).toEqual({ sslmode: 'require', api_key: 'k3y-s3cret' });

    await deleteRow(page, 'tr[data-conn-id="warehouse"]', 'connection_deleted');
    expect(await page.locator('tr[data-conn-id="warehouse"]').count()).toBe(0);
    const owners = [
      ...(await auditEvents('connection_create')),
      ...(await auditEvents('connection_edit')),
      ...(await auditEvents('connection_delete')),
    ].map((r) => r.owner);
    expect(owners).toEqual(['admin', 'admin', 'admin']);
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('an admin creates, edits and deletes a pool; default_pool cannot be deleted', async () => {
    const page = await app.login('admin');
    await page.goto(`${app.baseUrl}/admin/pools`);
    expect(await page.locator('tr[data-pool="default_pool"] button:has-text("Delete")').count()).toBe(0);
    await submit(page, '#add-pool', /\/admin\/pools\/new/);
    await page.fill('input[name=name]', 'gpu');
    await page.fill('input[name=slots]', '-1');
    await page.click('#pool-form button[type=submit]');
    await expect(page.locator('.form-error').textContent()).resolves.toBe(
      "slots '-1' must be a whole number (0 or more)",
    );
    await page.fill('input[name=slots]', '2');
    await page.fill('input[name=description]', 'GPU boxes');
    await submit(page, '#pool-form button[type=submit]', /notice=pool_saved/);
    await expect(page.locator('tr[data-pool="gpu"]').textContent()).resolves.toContain('GPU boxes');

    await submit(page, 'tr[data-pool="gpu"] a:has-text("Edit")', /\/admin\/pools\/edit/);
    await page.fill('input[name=slots]', '8');
    await submit(page, '#pool-form button[type=submit]', /notice=pool_saved/);
    await expect(page.locator('tr[data-pool="gpu"] td:nth-child(2)').textContent()).resolves.toBe('8');

    await deleteRow(page, 'tr[data-pool="gpu"]', 'pool_deleted');
    expect(await page.locator('tr[data-pool="gpu"]').count()).toBe(0);
    expect((await auditEvents('pool_delete')).map((r) => r.owner)).toEqual(['admin']);
    await page.context().close();
  }, 120_000);

  it('an admin creates a user, changes their role, resets their password and deletes them', async () => {
    const page = await app.login('admin');
    await page.goto(`${app.baseUrl}/admin/users`);
    // no Delete button on one's own row
    expect(await page.locator('tr[data-username="admin"] button:has-text("Delete")').count()).toBe(0);
    await submit(page, '#add-user', /\/admin\/users\/new/);
    await page.fill('input[name=username]', 'carol');
    await page.fill('input[name=password]', 'carol-pass-1');
    await page.selectOption('select[name=role]', 'viewer');
    await submit(page, '#user-form button[type=submit]', /notice=user_saved/);
    await submit(page, 'tr[data-username="carol"] a:has-text("Edit")', /\/admin\/users\/edit/);
    await page.selectOption('select[name=role]', 'op');
    await page.fill('input[name=password]', 'carol-pass-2');
    await submit(page, '#user-form button[type=submit]', /notice=user_saved/);
    await expect(page.locator('tr[data-username="carol"] .role').textContent()).resolves.toBe('op');

    // the new password works, through the API's Basic auth
    const auth = `Basic ${Buffer.from('carol:carol-pass-2').toString('base64')}`;
    const me = await fetch(`${app.baseUrl}/api/v1/pools`, { headers: { Authorization: auth } });
    expect(me.status).toBe(200);

    await deleteRow(page, 'tr[data-username="carol"]', 'user_deleted');
    expect(await page.locator('tr[data-username="carol"]').count()).toBe(0);
    expect((await fetch(`${app.baseUrl}/api/v1/pools`, { headers: { Authorization: auth } })).status).toBe(401);
    expect((await auditEvents('user_edit')).map((r) => r.owner)).toEqual(['admin']);
    await page.context().close();
  }, 120_000);

  it('a viewer sees no edit buttons and is refused (403) when posting with their own CSRF token', async () => {
    const page = await app.login('viewer');
    expect(await page.locator('nav.mainnav a:has-text("Variables")').count()).toBe(0);
    expect(await page.locator('nav.mainnav a:has-text("Users")').count()).toBe(0);
    await page.goto(`${app.baseUrl}/admin/pools`);
    expect(await page.locator('#add-pool').count()).toBe(0);
    expect(await page.locator('tr[data-pool="default_pool"] a:has-text("Edit")').count()).toBe(0);
    for (const path of ['/admin/variables', '/admin/connections', '/admin/users', '/admin/pools/new'])
      expect([path, (await page.goto(`${app.baseUrl}${path}`))?.status()]).toEqual([path, 403]);
    await page.goto(`${app.baseUrl}/admin/pools`);
    const statuses = await page.evaluate(`(async () => {
      const token = document.querySelector('input[name=_csrf]').value;
      const post = async (path, fields) =>
        (await fetch(path, {
          method: 'POST',
          body: new URLSearchParams({ _csrf: token, confirmed: 'yes', ...fields }),
        })).status;
      return [
        await post('/admin/variables', { key: 'forged', value: 'x' }),
        await post('/admin/variables/delete', { key: 'api_token' }),
        await post('/admin/connections', { conn_id: 'forged', conn_type: 'http' }),
        await post('/admin/pools', { name: 'forged', slots: '1' }),
        await post('/admin/pools/delete', { name: 'default_pool' }),
        await post('/admin/users', { username: 'forged', password: 'x', role: 'admin' }),
      ];
    })()`);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 403]);
    const { records } = await execSql<{ n: number }>(
      app.ctx.dataSource,
      `SELECT (SELECT COUNT(*) FROM variable WHERE "key" = 'forged')
            + (SELECT COUNT(*) FROM connection WHERE conn_id = 'forged')
            + (SELECT COUNT(*) FROM slot_pool WHERE pool = 'forged')
            + (SELECT COUNT(*) FROM dagctl_user WHERE username = 'forged') AS n`,
    );
    expect(Number(records[0].n)).toBe(0);
    await page.context().close();
  }, 120_000);

  it('an op edits variables but is refused the users page', async () => {
    const page = await app.login('op');
    await page.goto(`${app.baseUrl}/admin/variables/new`);
    await page.fill('input[name=key]', 'op_var');
    await page.fill('textarea[name=value]', 'plain text');
    await submit(page, '#variable-form button[type=submit]', /notice=variable_saved/);
    expect((await auditEvents('variable_create')).map((r) => r.owner)).toContain('op');
    expect((await page.goto(`${app.baseUrl}/admin/users`))?.status()).toBe(403);
    await page.context().close();
  }, 120_000);
});
