import { execSql } from '../../src/db/sql';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';
import { makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

/**
 * Marking states by hand in Chromium: an op marks a task instance failed from its page and a whole run
 * success from the grid's run panel, each through the confirmation step
 * that lists what will change; a viewer is offered neither.
 */

const DAG_ID = 'marks';
const RUN = 'manual__m1';

describe('mark task instance and run states in a browser', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    const ds = app.ctx.dataSource;
    await seedDag(ds, makeDag(DAG_ID, [makeTask('extract'), makeTask('transform'), makeTask('load')]));
    await seedRun(ds, DAG_ID, RUN, 'running', '2026-02-28T12:00:00Z');
    await seedTi(ds, DAG_ID, RUN, 'extract', 'success');
    await seedTi(ds, DAG_ID, RUN, 'transform', 'running');
    await seedTi(ds, DAG_ID, RUN, 'load', null);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const states = async () =>
    Object.fromEntries(
      (
        await execSql<{ task_id: string; state: string | null }>(
          app.ctx.dataSource,
          'SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?',
          [DAG_ID, RUN],
        )
      ).records.map((r) => [r.task_id, r.state]),
    );
  const runState = async () =>
    (
      await execSql<{ state: string }>(
        app.ctx.dataSource,
        'SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?',
        [DAG_ID, RUN],
      )
    ).records[0].state;

  it('offers a viewer no mark button', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/runs/${RUN}/tasks/transform`);
    await expect(page.locator('h2 .badge').first().textContent()).resolves.toBe('running');
    expect(await page.locator('button:has-text("Mark")').count()).toBe(0);
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/grid?run_id=${RUN}`);
    await expect(page.locator('#run-state').textContent()).resolves.toBe('running');
    expect(await page.locator('button:has-text("Mark")').count()).toBe(0);
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('marks a task instance failed, then the run success, as an op', async () => {
    const page = await app.login('op');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/runs/${RUN}/tasks/transform`);
    await Promise.all([page.waitForURL(/\/mark$/), page.click('button:text-is("Mark failed")')]);
    await expect(page.locator('.confirm h1').textContent()).resolves.toBe('Mark failed');
    await expect(page.locator('.confirm .affected').textContent()).resolves.toContain(`transform · ${RUN} · running`);
    expect(await states()).toEqual({ extract: 'success', transform: 'running', load: null });
    await Promise.all([page.waitForURL(/notice=marked/), page.click('#confirm-button')]);
    await expect(page.locator('.notice').textContent()).resolves.toBe('State updated.');
    await expect(page.locator('h2 .badge').first().textContent()).resolves.toBe('failed');
    expect((await states()).transform).toBe('failed');

    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/grid?run_id=${RUN}`);
    await Promise.all([page.waitForURL(/\/runs\/.*\/mark$/), page.click('button:text-is("Mark success")')]);
    await expect(page.locator('.confirm').textContent()).resolves.toContain(
      `Mark DAG run '${RUN}' of '${DAG_ID}' as success?`,
    );
    await Promise.all([page.waitForURL(/notice=marked/), page.click('#confirm-button')]);
    await expect(page.locator('.notice').textContent()).resolves.toBe('State updated.');
    await expect(page.locator('#run-state').textContent()).resolves.toBe('success');
    expect(await runState()).toBe('success');
    // the task that had not run is marked success with the run
    expect((await states()).load).toBe('success');
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
