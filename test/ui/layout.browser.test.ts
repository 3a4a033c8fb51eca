import { createBackfill } from '../../src/services/backfills';
import { addConnection } from '../../src/services/connections';
import { setPool } from '../../src/services/pools';
import { setVariable } from '../../src/services/variables';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';
import { findLayoutFaults } from './helpers/layout-checks';
import { makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

/**
 * No page overflows: at 1400 px and at 800 px, every page of a DAG with a few runs and the admin
 * pages with a row each, checked for a page wider than the window, cards scrolling sideways, cut
 * labels and selects, and chart labels outside their chart.
 */
const DAG_ID = 'customer_orders_etl';
const TASKS = ['extract_customer_orders', 'transform_orders', 'load_orders_to_warehouse', 'notify_team'];
const RUN = 'scheduled__2026-02-28T12:00:00+00:00';

describe('layout at desktop and narrow widths', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    const ds = app.ctx.dataSource;
    await seedDag(
      ds,
      makeDag(
        DAG_ID,
        TASKS.map((id) => makeTask(id, { pool: 'warehouse_loads', executionTimeoutMs: 3_600_000 })),
        {
          description: 'Pulls customer orders, reshapes them and loads them into the warehouse',
          tags: ['etl', 'orders'],
        },
      ),
    );
    for (const [i, day] of ['2026-02-26', '2026-02-27', '2026-02-28'].entries()) {
      const runId = `scheduled__${day}T12:00:00+00:00`;
      await seedRun(ds, DAG_ID, runId, 'success', `${day}T12:00:00.000Z`);
      for (const [j, taskId] of TASKS.entries())
        await seedTi(ds, DAG_ID, runId, taskId, 'success', {
          startDate: new Date(Date.parse(`${day}T12:00:00Z`) + j * 40_000),
          endDate: new Date(Date.parse(`${day}T12:00:00Z`) + j * 40_000 + 30_000 + i * 5_000),
          duration: 30 + i * 5,
        });
    }
    // the Details page's backfill table, with its controls (the layout is checked as admin)
    await createBackfill(app.ctx, {
      dagId: DAG_ID,
      fromDate: new Date('2026-02-01T12:00:00Z'),
      toDate: new Date('2026-02-05T12:00:00Z'),
    });
    await setVariable(
      app.ctx,
      'warehouse_settings',
      JSON.stringify({ schema: 'analytics', batch_size: 5000 }),
      'Loader settings',
    );
    await addConnection(app.ctx, {
      connId: 'warehouse_postgres',
      connType: 'postgres',
      host: 'warehouse.internal.example.com',
      port: 5432,
      schema: 'analytics',
      login: 'loader',
      password: 'pw',
      extra: JSON.stringify({ sslmode: 'require', application_name: 'dagctl-customer-orders-loader' }),
      description: 'The analytics warehouse',
    });
    await setPool(app.ctx, { name: 'warehouse_loads', slots: 4, description: 'Loads into the warehouse' });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const run = encodeURIComponent(RUN);
  const PAGES = [
    '/',
    `/dags/${DAG_ID}/grid`,
    `/dags/${DAG_ID}/graph?run_id=${run}`,
    `/dags/${DAG_ID}/gantt?run_id=${run}`,
    `/dags/${DAG_ID}/durations`,
    `/dags/${DAG_ID}/code`,
    `/dags/${DAG_ID}/details`,
    `/dags/${DAG_ID}/trigger`,
    `/dags/${DAG_ID}/runs/${run}/tasks/load_orders_to_warehouse`,
    '/admin/variables',
    '/admin/variables/new',
    '/admin/connections',
    '/admin/connections/edit?conn_id=warehouse_postgres',
    '/admin/pools',
    '/admin/users',
    '/admin/users/new',
  ];

  for (const width of [1400, 800]) {
    it(`no page overflows or cuts a label at ${width} px`, async () => {
      const page = await app.login('admin', width);
      const faults: string[] = [];
      for (const path of PAGES) {
        const response = await page.goto(`${app.baseUrl}${path}`);
        expect([path, response?.status()]).toEqual([path, 200]);
        for (const fault of await findLayoutFaults(page)) faults.push(`${path}: ${fault}`);
      }
      await page.context().close();
      expect(faults).toEqual([]);
      expect(app.pageErrors).toEqual([]);
    }, 120_000);
  }

  it('the check itself finds a page wider than the window, a cut select and a split label', async () => {
    const page = await app.login('admin', 800);
    await page.goto(`${app.baseUrl}/admin/pools`);
    await page.evaluate(`(() => {
      const main = document.querySelector('main');
      main.insertAdjacentHTML('beforeend',
        '<div style="width:1200px">wide</div>' +
        '<select style="width:60px"><option>a rather long option text</option></select>' +
        '<label style="display:flex;flex-direction:column;width:600px">' +
        'Configuration <code>JSON</code><textarea></textarea></label>');
    })()`);
    const faults = await findLayoutFaults(page);
    await page.context().close();
    expect(faults).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^page is \d+px wide in a 800px window$/),
        expect.stringMatching(/^select "a rather long option text" shows/),
        expect.stringMatching(/^label "Configuration JSON" is broken over 2 lines/),
      ]),
    );
  }, 60_000);
});
