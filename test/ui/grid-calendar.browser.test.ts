import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { AppContext } from '../../src/app/app-context';
import { DagRunEntity, TaskInstanceEntity } from '../../src/db/entities';
import { execSql } from '../../src/db/sql';
import { taskLogPath } from '../../src/logging/task-log-path';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';
import { makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

/**
 * The grid, calendar and DAG docs in Chromium, on the real web app (login, CSP): a DAG with ten
 * runs of different durations, a task group with a nested group, a mapped task of 102 instances,
 * and docs whose HTML must neither run nor reach the page.
 */

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
const DOCS = [
  '# Shop ETL',
  '',
  'Loads the **orders** of the day.',
  '',
  '- extract',
  '- process (mapped)',
  '- publish',
  '',
  '<script>window.pwned = "script"</script>',
  '<img src="x" onerror="window.pwned = \'onerror\'">',
  '',
  '[runbook](javascript:window.pwned=1)',
].join('\n');

/** Minutes each run lasted, oldest first: the bars must show these proportions. */
const MINUTES = [3, 1, 7, 2, 10, 5, 4, 8, 6, 9];
/** One run a day from 2026-02-20 (the last two on the same day), at 06:00 UTC. */
const DATES = MINUTES.map((_, i) =>
  new Date(Date.UTC(2026, 1, 20 + Math.min(i, 8), 6 + (i === 9 ? 6 : 0))).toISOString(),
);
const LATEST = 'run_09';

describe('grid, calendar and DAG docs in a browser', () => {
  let app: BrowserApp;
  let ctx: AppContext;
  let baseUrl: string;
  let pageErrors: string[];

  beforeAll(async () => {
    app = await startBrowserApp();
    ({ ctx, baseUrl, pageErrors } = app);
    const ds = ctx.dataSource;
    await seedDag(
      ds,
      makeDag(
        'shop',
        [
          makeTask('start'),
          makeTask('etl.extract', { taskGroup: 'etl' }),
          makeTask('etl.process', { taskGroup: 'etl', mapped: { args: [{ name: 'order', literal: [1] }] } }),
          makeTask('etl.checks.row_count', { taskGroup: 'etl.checks' }),
          makeTask('publish'),
        ],
        { docMd: DOCS },
      ),
    );
    for (const [i, minutes] of MINUTES.entries()) {
      const runId = `run_${String(i).padStart(2, '0')}`;
      const state = i === 3 ? 'failed' : 'success';
      await seedRun(ds, 'shop', runId, state, DATES[i]);
      await ds
        .getRepository(DagRunEntity)
        .update({ dagId: 'shop', runId }, { endDate: new Date(new Date(DATES[i]).getTime() + minutes * 60_000) });
      await seedTi(ds, 'shop', runId, 'start', 'success');
      await seedTi(ds, 'shop', runId, 'etl.extract', i === 3 ? 'failed' : 'success');
    }
    // the latest run: 100 mapped instances succeeded, 2 failed; start is still running
    await execSql(ds, "UPDATE task_instance SET state = 'running' WHERE run_id = ? AND task_id = 'start'", [LATEST]);
    await ds.getRepository(TaskInstanceEntity).save(
      Array.from({ length: 102 }, (_, i) => ({
        dagId: 'shop',
        runId: LATEST,
        taskId: 'etl.process',
        mapIndex: i,
        state: i >= 100 ? ('failed' as const) : ('success' as const),
        tryNumber: 1,
        maxTries: 0,
        pool: 'default_pool',
        poolSlots: 1,
        queue: 'default',
        priorityWeight: 1,
      })),
    );
    const log = taskLogPath(
      ctx.config.logging.base_log_folder,
      { dagId: 'shop', runId: LATEST, taskId: 'etl.process', mapIndex: 101 },
      1,
    );
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, 'order 101: payment service said 503\n');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const login = (): Promise<Page> => app.login('admin');

  const visible = (page: Page, selector: string) => page.locator(selector).first().isVisible();

  it('scales run bars by duration, dates the run axis and describes a run on hover', async () => {
    const page = await login();
    await page.goto(`${baseUrl}/dags/shop/grid`);
    const bars = page.locator('#grid a.run-bar');
    await expect(bars.count()).resolves.toBe(10);
    const heights: number[] = [];
    for (let i = 0; i < 10; i++) heights.push((await bars.nth(i).boundingBox())!.height);
    // heights follow the durations: same order, the longest run is the tallest bar
    const byHeight = [...heights.keys()].sort((a, b) => heights[a] - heights[b]);
    const byMinutes = [...MINUTES.keys()].sort((a, b) => MINUTES[a] - MINUTES[b]);
    expect(byHeight).toEqual(byMinutes);
    expect(new Set(heights.map((h) => Math.round(h))).size).toBe(10);
    expect(heights[4] / heights[0]).toBeCloseTo(10 / 3, 0);

    const header = page.locator('#grid thead tr.run-bars th.task-col');
    expect((await header.textContent())?.trim()).not.toBe('Task');
    await expect(header.textContent()).resolves.toContain('Runs');
    await expect(page.locator('#grid .run-date span').allTextContents()).resolves.toEqual(
      DATES.map((iso) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}`),
    );
    const tooltip = await bars.nth(4).getAttribute('title');
    expect(tooltip).toContain('Run: run_04');
    expect(tooltip).toContain('State: success');
    expect(tooltip).toContain('Type: manual');
    expect(tooltip).toContain('Start: 2026-02-24 06:00:00 UTC');
    expect(tooltip).toContain('End: 2026-02-24 06:10:00 UTC');
    expect(tooltip).toContain('Duration: 10m 00s');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'grid-durations.png'), fullPage: true });
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows a mapped task as one row with counts, expanding to each map index and its log', async () => {
    const page = await login();
    await page.goto(`${baseUrl}/dags/shop/grid`);
    const cell = page.locator(`#grid a.mapped-cell[data-run-id="${LATEST}"]`);
    await expect(cell.getAttribute('data-counts')).resolves.toBe('100 ✓ / 2 ✗');
    await expect(cell.locator('i.seg').count()).resolves.toBe(2);
    await expect(page.locator('#grid tr.task-row[data-task-id="etl.process"] .mapped-mark').count()).resolves.toBe(1);
    await cell.click();
    const detail = page.locator('#grid tr.mapped-detail');
    await page.waitForSelector('#grid tr.mapped-detail ul.mapped-list li');
    await expect(detail.locator('li').count()).resolves.toBe(102);
    await expect(detail.locator('li a .badge.state-failed').count()).resolves.toBe(2);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'grid-mapped.png'), fullPage: true });
    await Promise.all([page.waitForURL(/map_index=101/), detail.locator('li a').nth(101).click()]);
    await expect(page.locator('b.map-index').textContent()).resolves.toBe('101');
    await expect(page.locator('pre#log').textContent()).resolves.toContain('order 101: payment service said 503');
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('collapses and expands task groups, and live refresh keeps them so', async () => {
    const page = await login();
    await page.goto(`${baseUrl}/dags/shop/grid`);
    const etl = page.locator('#grid button.group-toggle[data-group="etl"]');
    await expect(
      page.locator('#grid tr.group-row[data-group="etl"] .group-cell').nth(3).getAttribute('class'),
    ).resolves.toContain('state-failed');
    expect(await visible(page, '#grid tr[data-task-id="etl.extract"]')).toBe(true);
    expect(await visible(page, '#grid tr[data-task-id="etl.checks.row_count"]')).toBe(true);

    await etl.click();
    await expect(etl.getAttribute('aria-expanded')).resolves.toBe('false');
    for (const id of ['etl.extract', 'etl.process', 'etl.checks.row_count'])
      expect(await visible(page, `#grid tr[data-task-id="${id}"]`)).toBe(false);
    expect(await visible(page, '#grid tr.group-row[data-group="etl.checks"]')).toBe(false);
    expect(await visible(page, '#grid tr[data-task-id="publish"]')).toBe(true);

    // a change in the database reaches the page without a reload; the group stays collapsed
    await execSql(ctx.dataSource, "UPDATE task_instance SET state = 'success' WHERE run_id = ? AND task_id = 'start'", [
      LATEST,
    ]);
    await page.waitForSelector(`#grid tr[data-task-id="start"] a.cell.state-success[href*="/runs/${LATEST}/"]`, {
      timeout: 30_000,
    });
    expect(await visible(page, '#grid tr[data-task-id="etl.extract"]')).toBe(false);

    await page.locator('#grid button.group-toggle[data-group="etl"]').click();
    expect(await visible(page, '#grid tr[data-task-id="etl.extract"]')).toBe(true);
    // the nested group collapses on its own
    await page.locator('#grid button.group-toggle[data-group="etl.checks"]').click();
    expect(await visible(page, '#grid tr[data-task-id="etl.checks.row_count"]')).toBe(false);
    expect(await visible(page, '#grid tr[data-task-id="etl.extract"]')).toBe(true);
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("shows the runs' days on the calendar", async () => {
    const page = await login();
    await page.goto(`${baseUrl}/dags/shop/grid`);
    await Promise.all([page.waitForURL(/\/calendar$/), page.click('nav.tabs a:has-text("Calendar")')]);
    const days = await page
      .locator('#calendar .cal-year .cal-day.has-runs')
      .evaluateAll((nodes) =>
        nodes.map((n) => (n as unknown as { getAttribute(a: string): string }).getAttribute('data-date')),
      );
    expect(days).toEqual([...new Set(DATES.map((iso) => iso.slice(0, 10)))]);
    const failedDay = page.locator('#calendar .cal-day[data-date="2026-02-23"]');
    await expect(failedDay.getAttribute('class')).resolves.toContain('state-failed');
    await expect(failedDay.getAttribute('title')).resolves.toBe('2026-02-23: 1 failed');
    await expect(page.locator('#calendar .cal-day[data-date="2026-02-28"]').getAttribute('title')).resolves.toBe(
      '2026-02-28: 2 success',
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'calendar.png'), fullPage: true });
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('renders docMd as Markdown; its script and onerror payloads neither run nor reach the page', async () => {
    const page = await login();
    await page.goto(`${baseUrl}/dags/shop/details`);
    await expect(page.locator('#dag-docs h1').textContent()).resolves.toBe('Shop ETL');
    await expect(page.locator('#dag-docs ul li').allTextContents()).resolves.toEqual([
      'extract',
      'process (mapped)',
      'publish',
    ]);
    await expect(page.locator('#dag-docs strong').textContent()).resolves.toBe('orders');
    await expect(page.locator('script:not([src])').count()).resolves.toBe(0);
    await expect(page.locator('#dag-docs img, #dag-docs script, [onerror]').count()).resolves.toBe(0);
    await expect(page.locator('#dag-docs a[href^="javascript"]').count()).resolves.toBe(0);
    // the payloads are shown as the text they are
    await expect(page.locator('#dag-docs').textContent()).resolves.toContain(
      '<script>window.pwned = "script"</script>',
    );
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    // the grid shows the same docs, folded
    await page.goto(`${baseUrl}/dags/shop/grid`);
    await page.click('details.dag-docs-box summary');
    await expect(page.locator('details.dag-docs-box #dag-docs h1').textContent()).resolves.toBe('Shop ETL');
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
