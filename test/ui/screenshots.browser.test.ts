import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { triggerDagRun } from '../../src/services/trigger-dag-run';
import { engineHarness } from '../helpers/engine-harness';
import { waitForRun } from '../helpers/run-queries';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';

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
  let app: BrowserApp;
  const engine = engineHarness({
    kind: 'sqlite',
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '300ms' },
    dags: { 'daily_orders.ts': ETL, 'orders_report.ts': REPORT },
    beforeStop: () => app?.close(),
  });

  beforeAll(async () => {
    app = await startBrowserApp({ ctx: engine.ctx });
    fs.mkdirSync(target, { recursive: true });
  }, 120_000);

  afterAll(() => {
    if (process.env.DAGCTL_WRITE_SCREENSHOTS !== '1') fs.rmSync(target, { recursive: true, force: true });
  });

  async function shoot(page: Page, name: string): Promise<void> {
    const file = path.join(target, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect({ name, width: pngWidth(file) }).toEqual({ name, width: WIDTH });
  }

  it('takes the DAG list, grid, graph, task log, trigger form and datasets page at 1400 px', async () => {
    for (const logicalDate of ['2026-03-01', '2026-03-02', '2026-03-03']) {
      const run = await triggerDagRun(engine.ctx, { dagId: 'daily_orders', logicalDate: new Date(logicalDate) });
      expect(await waitForRun(engine.ctx, 'daily_orders', run.runId)).toBe('success');
    }
    const page = await app.login('admin', WIDTH);
    await page.waitForSelector('tr[data-dag-id="daily_orders"]');
    await shoot(page, 'dag-list');

    await page.goto(`${app.baseUrl}/dags/daily_orders/grid`);
    await page.waitForSelector('#grid a.cell.state-success');
    await shoot(page, 'grid');

    await page.goto(`${app.baseUrl}/dags/daily_orders/graph`);
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

    await page.goto(`${app.baseUrl}/dags/daily_orders/trigger`);
    await page.waitForSelector('[name="param:region"]');
    await shoot(page, 'trigger');

    await page.goto(`${app.baseUrl}/datasets`);
    await page.waitForSelector('text=s3://warehouse/orders');
    await shoot(page, 'datasets');
  });
});
