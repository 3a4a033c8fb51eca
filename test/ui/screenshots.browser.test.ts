import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AppContext, closeAppContext } from '../../src/app/app-context';
import { distEntry } from '../../src/core/dist-path';
import { runScheduler } from '../../src/scheduler/scheduler-job';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { createUser } from '../../src/services/users';
import { createWebApp } from '../../src/web/app';
import { createTestHome, openTestContext, TestHome } from '../helpers/dagctl-home';
import { waitForParsedDags, waitForRun } from '../helpers/run-queries';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/**
 * The README's screenshots, taken from the real stack at 1400 px. Every run takes them and checks
 * they are 1400 px wide PNGs; only with DAGCTL_WRITE_SCREENSHOTS=1 are they written to
 * docs/screenshots (so a CI run leaves the git tree as it was), otherwise to a temp folder.
 */

const WIDTH = 1400;
const ETL = `
import { DAG, BashOperator, FunctionOperator, dataset } from 'dagctl';
const orders = dataset('s3://warehouse/orders');
const dag = new DAG('daily_orders', {
  description: 'Extract, transform and publish the daily orders',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tags: ['example'],
  params: { region: 'eu', limit: 100 },
});
const extract = new BashOperator({ taskId: 'extract', bashCommand: 'echo "extracting orders for {{ ds }}"', dag });
const transform = new FunctionOperator({
  taskId: 'transform',
  dag,
  fn: (ctx) => {
    ctx.log.info('transforming %d orders', 42);
    return 42;
  },
});
const publish = new FunctionOperator({
  taskId: 'publish',
  dag,
  outlets: [orders],
  fn: (ctx) => {
    ctx.log.info('publishing to %s', orders.uri);
    return 'published';
  },
});
extract.then(transform).then(publish);
export default dag;
`;
const REPORT = `
import { DAG, BashOperator, dataset } from 'dagctl';
const dag = new DAG('orders_report', {
  description: 'Runs when the daily orders are published',
  schedule: [dataset('s3://warehouse/orders')],
  startDate: '2026-01-01T00:00:00Z',
});
new BashOperator({ taskId: 'report', bashCommand: 'echo report', dag });
export default dag;
`;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const PASSWORD = 'admin-pass-123';

/** A PNG's width, from its IHDR chunk. */
function pngWidth(file: string): number {
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return bytes.readUInt32BE(16);
}

describe('README screenshots', () => {
  const target =
    process.env.DAGCTL_WRITE_SCREENSHOTS === '1'
      ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
      : fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-screenshots-'));
  let db: TestDatabase;
  let home: TestHome;
  let ctx: AppContext;
  let abort: AbortController;
  let scheduler: Promise<void>;
  let server: http.Server;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(distEntry('runner/task-process-main'))) throw new Error('dist/ is not built: run npm run build');
    db = await createTestDatabase('sqlite');
    home = createTestHome({
      databaseUrl: db.url,
      env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '300ms' },
    });
    home.writeDag('daily_orders.ts', ETL);
    home.writeDag('orders_report.ts', REPORT);
    ctx = await openTestContext(home);
    await createUser(ctx, { username: 'admin', password: PASSWORD, role: 'admin' });
    abort = new AbortController();
    scheduler = runScheduler(ctx, { signal: abort.signal });
    await waitForParsedDags(ctx.dataSource, 2);
    server = http.createServer(createWebApp(ctx));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    fs.mkdirSync(target, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    abort?.abort();
    await scheduler?.catch(() => undefined);
    if (ctx) await closeAppContext(ctx);
    await db?.drop();
    home?.remove();
    if (process.env.DAGCTL_WRITE_SCREENSHOTS !== '1') fs.rmSync(target, { recursive: true, force: true });
  });

  async function shoot(page: Page, name: string): Promise<void> {
    const file = path.join(target, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect({ name, width: pngWidth(file) }).toEqual({ name, width: WIDTH });
  }

  it('takes the DAG list, grid, graph, task log, trigger form and datasets page at 1400 px', async () => {
    for (const logicalDate of ['2026-03-01', '2026-03-02', '2026-03-03']) {
      const run = await triggerDagRun(ctx, { dagId: 'daily_orders', logicalDate: new Date(logicalDate) });
      expect(await waitForRun(ctx, 'daily_orders', run.runId)).toBe('success');
    }
    const page = await (await browser.newContext({ viewport: { width: WIDTH, height: 900 } })).newPage();
    await page.goto(`${baseUrl}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
    await page.waitForSelector('tr[data-dag-id="daily_orders"]');
    await shoot(page, 'dag-list');

    await page.goto(`${baseUrl}/dags/daily_orders/grid`);
    await page.waitForSelector('#grid a.cell.state-success');
    await shoot(page, 'grid');

    await page.goto(`${baseUrl}/dags/daily_orders/graph`);
    await page.waitForSelector('svg#graph g.node.state-success');
    await shoot(page, 'graph');

    await page.click('svg#graph g.node[data-node-id="transform"]');
    await page.waitForURL(/\/tasks\/transform/);
    await page.waitForFunction(
      "document.querySelector('pre#log')?.textContent.includes('Returned value: 42')",
      undefined,
      { timeout: 60_000, polling: 250 },
    );
    await shoot(page, 'task-log');

    await page.goto(`${baseUrl}/dags/daily_orders/trigger`);
    await page.waitForSelector('[name="param:region"]');
    await shoot(page, 'trigger');

    await page.goto(`${baseUrl}/datasets`);
    await page.waitForSelector('text=s3://warehouse/orders');
    await shoot(page, 'datasets');
  });
});
