import type { Page } from 'playwright-core';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';
import { makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

/**
 * The Gantt page in Chromium: one bar per task on a shared time axis, a mapped task's instances in
 * one bar from its first start to its last end in its most urgent state, tasks not started listed
 * under the chart, a bar leading to its task instance, and the run picker switching runs.
 */

const DAG_ID = 'loads';
const LATEST = 'manual__r1';
const OLDER = 'manual__r0';
const at = (time: string) => new Date(`2026-02-28T${time}Z`);

describe('gantt chart in a browser', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    const ds = app.ctx.dataSource;
    const tasks = [
      makeTask('extract'),
      makeTask('process', { mapped: { args: [{ name: 'part', literal: [1, 2, 3] }] } }),
      makeTask('publish'),
    ];
    await seedDag(ds, makeDag(DAG_ID, tasks));
    await seedRun(ds, DAG_ID, OLDER, 'success', '2026-02-27T10:00:00Z');
    for (const taskId of ['extract', 'process', 'publish']) await seedTi(ds, DAG_ID, OLDER, taskId, 'success');

    await seedRun(ds, DAG_ID, LATEST, 'failed', '2026-02-28T10:00:00Z');
    const times = (start: string, end: string) => ({ startDate: at(start), endDate: at(end) });
    await seedTi(ds, DAG_ID, LATEST, 'extract', 'success', times('10:00:00', '10:01:00'));
    // three instances over three minutes; the one that failed is neither first nor last
    await seedTi(ds, DAG_ID, LATEST, 'process', 'success', { mapIndex: 0, ...times('10:01:00', '10:02:00') });
    await seedTi(ds, DAG_ID, LATEST, 'process', 'failed', { mapIndex: 1, ...times('10:01:30', '10:03:00') });
    await seedTi(ds, DAG_ID, LATEST, 'process', 'success', { mapIndex: 2, ...times('10:02:00', '10:04:00') });
    await seedTi(ds, DAG_ID, LATEST, 'publish', 'upstream_failed', { startDate: null, endDate: null });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  /** Each bar's task, state and horizontal extent (SVG units). */
  const bars = (page: Page) =>
    page.evaluate<Array<{ task: string; state: string; x: number; width: number; title: string }>>(`
      [...document.querySelectorAll('svg.gantt rect.bar')].map((rect) => ({
        task: rect.querySelector('title').textContent.split(' · ')[0],
        state: /state-(\\S+)/.exec(rect.getAttribute('class'))[1],
        x: +rect.getAttribute('x'),
        width: +rect.getAttribute('width'),
        title: rect.querySelector('title').textContent,
      }))`);

  it('draws the latest run: one bar per started task, a mapped task spanning its instances', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/gantt`);
    const [extract, process] = await bars(page);
    expect([extract.task, extract.state, process.task, process.state]).toEqual([
      'extract',
      'success',
      'process',
      'failed',
    ]);
    expect(await page.locator('svg.gantt rect.bar').count()).toBe(2);
    // the mapped task starts where extract ended and lasts three times as long (10:01 → 10:04)
    expect(Math.abs(process.x - (extract.x + extract.width))).toBeLessThan(1);
    expect(Math.abs(process.width - 3 * extract.width)).toBeLessThan(1);
    expect(process.title).toContain('process · failed');
    expect(process.title).toContain('(3m');
    await expect(page.locator('p.muted.small').textContent()).resolves.toBe('Not started: publish');

    await Promise.all([
      page.waitForURL(new RegExp(`/dags/${DAG_ID}/runs/${LATEST}/tasks/process$`)),
      page.locator('svg.gantt rect.bar').nth(1).click(),
    ]);
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('switches to another run through the run picker', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/gantt`);
    await Promise.all([page.waitForURL(/run_id=/), page.selectOption('select[name=run_id]', OLDER)]);
    expect(new URL(page.url()).searchParams.get('run_id')).toBe(OLDER);
    expect((await bars(page)).map((bar) => `${bar.task} ${bar.state}`)).toEqual([
      'extract success',
      'process success',
      'publish success',
    ]);
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
