import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { AppContext } from '../../src/app/app-context';
import { errorMessage } from '../../src/core/errors';
import { execSql } from '../../src/db/sql';
import { engineHarness } from '../helpers/engine-harness';
import { eventually } from '../helpers/eventually';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';

/**
 * The whole stack in a real browser: the web app (auth + UI + API), the scheduler with the local
 * executor and DAG processor, Debian's Chromium driven by playwright-core.
 */

const HELLO_WORLD = `
import { DAG, EmptyOperator, FunctionOperator, BashOperator } from 'dagctl';

const dag = new DAG('hello_world', {
  description: 'Simple tutorial DAG',
  schedule: '0 12 * * *',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['tutorial'],
  params: { greeting: 'Hello' },
  defaultArgs: { retries: 1, retryDelay: '5m' },
});
const dummy = new EmptyOperator({ taskId: 'dummy_task', retries: 3, dag });
const hello = new FunctionOperator({ taskId: 'hello_task', fn: () => 'Hello world!', dag });
const bye = new BashOperator({
  taskId: 'say_bye',
  bashCommand: 'echo "saying bye for {{ ds }}"; sleep 1; echo bye',
  dag,
});
dummy.then(hello).then(bye);
export default dag;
`;

/** A task that waits for the test to create a file, so the test sees it running for sure. */
function waitingDag(goFile: string): string {
  return `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('live_log', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({
  taskId: 'wait_for_go',
  bashCommand:
    'echo "waiting for go"; while [ ! -f ${JSON.stringify(goFile)} ]; do sleep 0.2; done; ' +
    'echo "got go <b>now</b>"',
  dag,
});
export default dag;
`;
}

// Scratch only: the README's screenshots are screenshots.browser.test.ts's (DAGCTL_WRITE_SCREENSHOTS=1).
const SCREENSHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-browser-shots-'));

describe('monitoring UI in a browser', () => {
  let app: BrowserApp;
  const engine = engineHarness({
    kind: 'sqlite',
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '300ms' },
    dags: (home) => ({ 'hello_world.ts': HELLO_WORLD, 'live_log.ts': waitingDag(path.join(home.home, 'go')) }),
    gates: ['go'],
    beforeStop: () => app?.close(),
  });
  let ctx: AppContext;
  let baseUrl: string;
  /** Script errors and CSP violations seen in any page: there must be none. */
  let pageErrors: string[];

  beforeAll(async () => {
    app = await startBrowserApp({ ctx: engine.ctx });
    ({ ctx, baseUrl, pageErrors } = app);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  const login = (role: 'admin' | 'viewer'): Promise<Page> => app.login(role, 1280, 820);

  it('logs in, triggers hello_world, sees the grid turn green live, opens graph and log, clears a task', async () => {
    const page = await login('admin');
    const row = page.locator('tr[data-dag-id="hello_world"]');
    await expect(row.locator('a.dag-link').textContent()).resolves.toBe('hello_world');
    await expect(row.textContent()).resolves.toContain('At 12:00');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dag-list.png'), fullPage: true });

    // trigger with a conf from the params form
    await page.click('a[title="Trigger hello_world"]');
    // one field per param, filled with its default (the form is generated from the params)
    const greeting = page.locator('[name="param:greeting"]');
    await expect(greeting.inputValue()).resolves.toBe('Hello');
    await greeting.fill('Hi <b>there</b>');
    await Promise.all([
      page.waitForURL(/\/dags\/hello_world\/grid\?run_id=/),
      page.click('#trigger-form button[type=submit]'),
    ]);
    await expect(page.locator('.notice').textContent()).resolves.toContain('DAG run triggered.');
    await expect(page.locator('pre.conf').textContent()).resolves.toContain('Hi <b>there</b>');

    // the grid turns green without a reload: a marker set now survives, no navigation happens
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    // (no DOM types in the test tsconfig: browser-side code is a string or casts globalThis)
    await page.evaluate("window.marker = 'same page'");
    // (the DAG's schedule may also have made a scheduled run: look at the triggered run's column)
    const runId = new URL(page.url()).searchParams.get('run_id')!;
    // the page as served showed the run unfinished (data-grid holds the server-rendered snapshot)
    const served = JSON.parse((await page.locator('#grid').getAttribute('data-grid'))!) as {
      runs: Array<{ runId: string; state: string }>;
    };
    expect(served.runs.find((run) => run.runId === runId)?.state).not.toBe('success');
    await page
      .waitForFunction(
        (selector) => {
          const doc = (
            globalThis as unknown as {
              document: {
                querySelectorAll(s: string): { length: number };
                querySelector(s: string): { textContent: string } | null;
              };
            }
          ).document;
          return (
            doc.querySelectorAll(selector).length === 3 && doc.querySelector('#run-state')?.textContent === 'success'
          );
        },
        `#grid a.cell.state-success[href*="/runs/${encodeURIComponent(runId)}/"]`,
        { timeout: 120_000, polling: 250 },
      )
      .catch(async (err) => {
        const { records } = await execSql(
          ctx.dataSource,
          "SELECT run_id, task_id, state FROM task_instance WHERE dag_id = 'hello_world'",
        );
        throw new Error(
          `${errorMessage(err)}\nstates: ${JSON.stringify(records)}\npage errors: ${pageErrors.join('\n')}\n` +
            `grid: ${await page.locator('#grid').innerHTML()}`,
        );
      });
    expect(await page.evaluate('window.marker')).toBe('same page');
    expect(navigations).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'grid.png'), fullPage: true });

    // graph: nodes coloured by the run's states
    await page.click('nav.tabs a:has-text("Graph")');
    await page.waitForSelector('svg#graph g.node.state-success');
    expect(await page.locator('svg#graph g.node.state-success').count()).toBe(3);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'graph.png'), fullPage: true });

    // task log of say_bye
    await page.click('svg#graph g.node[data-node-id="say_bye"]');
    await page.waitForURL(/\/tasks\/say_bye/);
    await expect(page.locator('pre#log').textContent()).resolves.toMatch(/saying bye for \d{4}-\d\d-\d\d[\s\S]*bye/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'task-log.png'), fullPage: true });

    // clear hello_task with downstream: confirmation first, then both run again
    await page.click('a:has-text("hello_task")');
    await page.waitForURL(/\/tasks\/hello_task/);
    await page.click('form.action-clear button[type=submit]');
    await expect(page.locator('.confirm').textContent()).resolves.toContain(
      'Clear 2 task instance(s) (with downstream)',
    );
    await Promise.all([page.waitForURL(/notice=cleared/), page.click('#confirm-button')]);
    await expect(page.locator('.notice').textContent()).resolves.toContain('cleared');
    await eventually(
      async () => {
        const { records } = await execSql<{ task_id: string; state: string; try_number: number }>(
          ctx.dataSource,
          `SELECT task_id, state, try_number FROM task_instance
           WHERE dag_id = 'hello_world' AND run_id = ? AND task_id IN ('hello_task', 'say_bye')`,
          [runId],
        );
        return records.length === 2 && records.every((r) => r.state === 'success' && Number(r.try_number) === 2);
      },
      { what: 'cleared tasks to run again', timeoutMs: 120_000, intervalMs: 250 },
    );
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('a viewer sees the DAGs but cannot trigger', async () => {
    const page = await login('viewer');
    await page.waitForSelector('tr[data-dag-id="hello_world"]');
    expect(await page.locator('a[title="Trigger hello_world"]').count()).toBe(0);
    expect(await page.locator('form.pause-form').count()).toBe(0);
    const form = await page.goto(`${baseUrl}/dags/hello_world/trigger`);
    expect(form?.status()).toBe(403);
    await page.goto(`${baseUrl}/`);
    const before = await execSql<{ n: number }>(
      ctx.dataSource,
      "SELECT COUNT(*) AS n FROM dag_run WHERE dag_id = 'hello_world'",
    );
    // a forged POST with the viewer's own valid CSRF token still meets the role check
    const status = await page.evaluate(`(async () => {
      const token = document.querySelector('input[name=_csrf]').value;
      const body = new URLSearchParams({ _csrf: token, conf: '{}' });
      return (await fetch('/dags/hello_world/trigger', { method: 'POST', body })).status;
    })()`);
    expect(status).toBe(403);
    const after = await execSql<{ n: number }>(
      ctx.dataSource,
      "SELECT COUNT(*) AS n FROM dag_run WHERE dag_id = 'hello_world'",
    );
    expect(Number(after.records[0].n)).toBe(Number(before.records[0].n));
    await page.context().close();
  }, 120_000);

  it('tails the log of a running task live, then shows it finished', async () => {
    const page = await login('admin');
    await page.goto(`${baseUrl}/dags/live_log/trigger`);
    await Promise.all([
      page.waitForURL(/\/dags\/live_log\/grid\?run_id=/),
      page.click('#trigger-form button[type=submit]'),
    ]);
    const runId = new URL(page.url()).searchParams.get('run_id')!;
    await eventually(
      async () => {
        const { records } = await execSql<{ state: string }>(
          ctx.dataSource,
          "SELECT state FROM task_instance WHERE dag_id = 'live_log' AND run_id = ? AND task_id = 'wait_for_go'",
          [runId],
        );
        return records[0]?.state === 'running';
      },
      { what: 'wait_for_go to run', timeoutMs: 120_000, intervalMs: 100 },
    );
    await page.goto(`${baseUrl}/dags/live_log/runs/${encodeURIComponent(runId)}/tasks/wait_for_go`);
    await expect(page.locator('pre#log').getAttribute('data-live')).resolves.toBe('true');
    await page.waitForFunction(
      (text) => {
        const doc = (
          globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }
        ).document;
        return doc.getElementById('log')?.textContent.includes(text) ?? false;
      },
      'waiting for go',
      { timeout: 60_000, polling: 200 },
    );
    await page.evaluate("window.marker = 'same page'");
    engine.openGate('go');
    await page.waitForFunction(
      () => {
        const doc = (
          globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }
        ).document;
        return (
          (doc.getElementById('log')?.textContent.includes('got go <b>now</b>') &&
            doc.getElementById('log-status')?.textContent === 'finished: success') ??
          false
        );
      },
      null,
      { timeout: 120_000, polling: 200 },
    );
    expect(await page.evaluate('window.marker')).toBe('same page');
    // the log's HTML-looking output stayed text
    expect(await page.locator('pre#log b').count()).toBe(0);
    await page.context().close();
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
