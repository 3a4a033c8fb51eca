import type { Page } from 'playwright-core';
import { execSql } from '../../src/db/sql';
import { advanceBackfills } from '../../src/scheduler/advance-backfills';
import { createBackfill, requireBackfill } from '../../src/services/backfills';
import { markDagRunState } from '../../src/services/mark-dag-run-state';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';
import { makeDag, makeTask, seedDag } from './helpers/ui-fixtures';

/**
 * The DAG Details page's backfill table in Chromium, on a real database: backfills recorded by the
 * service and advanced by the scheduler's own step show their progress and state; an op pauses,
 * unpauses and cancels one through the confirmation step; a viewer sees no control and cannot
 * post one; a backfill cannot be changed through another DAG's URL.
 */

const DAG_ID = 'nightly';
const OTHER_DAG = 'other';
/** The backfill's runs, one per day at 12:00 (the DAG's cron), by logical date. */
const runIdOf = (day: number) => `backfill__2026-02-0${day}T12:00:00.000Z`;

describe('backfill table of the DAG Details page in a browser', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    await seedDag(app.ctx.dataSource, makeDag(DAG_ID, [makeTask('extract'), makeTask('load')]));
    await seedDag(app.ctx.dataSource, makeDag(OTHER_DAG, [makeTask('only')]));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  /** What the scheduler does each loop for backfills: create their next runs, complete them. */
  const schedulerStep = () => advanceBackfills(app.ctx.dataSource, new Date(), 10);
  const row = (page: Page, id: number) => page.locator(`table.backfills tr[data-backfill-id="${id}"]`);
  const runStates = async (backfillId: number) =>
    (
      await execSql<{ run_id: string; state: string }>(
        app.ctx.dataSource,
        'SELECT run_id, state FROM dag_run WHERE backfill_id = ? ORDER BY run_id',
        [backfillId],
      )
    ).records.map((r) => `${r.run_id} ${r.state}`);

  /** Click a control of the backfill's row, confirm, and land back on the Details page. */
  async function act(page: Page, id: number, label: string, confirmText: string): Promise<void> {
    await Promise.all([page.waitForURL(/\/backfills\//), row(page, id).locator(`button:text-is("${label}…")`).click()]);
    await expect(page.locator('.confirm').textContent()).resolves.toContain(confirmText);
    await Promise.all([page.waitForURL(/\/details\?notice=/), page.click('#confirm-button')]);
  }

  it('shows a running backfill with its progress; an op pauses, unpauses and cancels it', async () => {
    const backfill = await createBackfill(app.ctx, {
      dagId: DAG_ID,
      fromDate: new Date('2026-02-01T12:00:00Z'),
      toDate: new Date('2026-02-05T12:00:00Z'),
      maxActiveRuns: 2,
    });
    expect(backfill.total).toBe(5);
    await schedulerStep();
    await markDagRunState(app.ctx, { dagId: DAG_ID, runId: runIdOf(1), state: 'success' });
    await schedulerStep();
    expect(await runStates(backfill.id)).toEqual([
      `${runIdOf(1)} success`,
      `${runIdOf(2)} queued`,
      `${runIdOf(3)} queued`,
    ]);

    const page = await app.login('op');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/details`);
    await expect(row(page, backfill.id).locator('td').nth(1).textContent()).resolves.toBe(
      '2026-02-01T12:00:00.000Z – 2026-02-05T12:00:00.000Z',
    );
    await expect(row(page, backfill.id).locator('td.progress').textContent()).resolves.toBe(
      '1/5 done · 1 succeeded · 0 failed · 0 running · 2 queued · 0 skipped',
    );
    await expect(row(page, backfill.id).locator('td.status').textContent()).resolves.toBe('running');
    expect(await row(page, backfill.id).locator('button').allTextContents()).toEqual(['Pause…', 'Cancel…']);

    await act(page, backfill.id, 'Pause', `Pause backfill ${backfill.id}?`);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Backfill paused');
    await expect(row(page, backfill.id).locator('td.status').textContent()).resolves.toBe('paused');
    expect(await row(page, backfill.id).locator('button').allTextContents()).toEqual(['Unpause…', 'Cancel…']);
    expect((await requireBackfill(app.ctx, backfill.id)).isPaused).toBe(true);
    // paused: the scheduler creates nothing more, even with a free slot
    await markDagRunState(app.ctx, { dagId: DAG_ID, runId: runIdOf(2), state: 'success' });
    await schedulerStep();
    expect(await runStates(backfill.id)).toHaveLength(3);

    await act(page, backfill.id, 'Unpause', `Unpause backfill ${backfill.id}?`);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Backfill unpaused');
    await expect(row(page, backfill.id).locator('td.status').textContent()).resolves.toBe('running');
    await schedulerStep();
    expect(await runStates(backfill.id)).toHaveLength(4);

    await act(page, backfill.id, 'Cancel', `Cancel backfill ${backfill.id}?`);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Backfill cancelled');
    await expect(row(page, backfill.id).locator('td.status').textContent()).resolves.toBe('cancelled');
    expect(await row(page, backfill.id).locator('button').count()).toBe(0);
    // its queued runs failed, the finished ones stay; the last date never got a run
    expect(await runStates(backfill.id)).toEqual([
      `${runIdOf(1)} success`,
      `${runIdOf(2)} success`,
      `${runIdOf(3)} failed`,
      `${runIdOf(4)} failed`,
    ]);
    await expect(row(page, backfill.id).locator('td.progress').textContent()).resolves.toBe(
      '4/5 done · 2 succeeded · 2 failed · 0 running · 0 queued · 0 skipped',
    );
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('shows a viewer the table without controls and refuses a viewer’s post', async () => {
    const backfill = await createBackfill(app.ctx, {
      dagId: DAG_ID,
      fromDate: new Date('2026-01-10T12:00:00Z'),
      toDate: new Date('2026-01-11T12:00:00Z'),
    });
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/details`);
    await expect(row(page, backfill.id).locator('td.status').textContent()).resolves.toBe('running');
    await expect(row(page, backfill.id).locator('td.progress').textContent()).resolves.toBe(
      '0/2 done · 0 succeeded · 0 failed · 0 running · 0 queued · 0 skipped',
    );
    expect(await page.locator('table.backfills form, table.backfills button').count()).toBe(0);
    expect(await page.locator('table.backfills thead th').allTextContents()).toEqual([
      'Id',
      'Dates',
      'Progress',
      'Status',
    ]);
    // a forged post, with the viewer's own valid CSRF token (from the logout form), meets the role check
    const status = await page.evaluate(`(async () => {
      const token = document.querySelector('input[name=_csrf]').value;
      const body = new URLSearchParams({ _csrf: token, confirmed: 'yes' });
      return (await fetch('/dags/${DAG_ID}/backfills/${backfill.id}/cancel', { method: 'POST', body })).status;
    })()`);
    expect(status).toBe(403);
    expect((await requireBackfill(app.ctx, backfill.id)).cancelled).toBe(false);
    await page.context().close();
  }, 120_000);

  it('does not change a backfill through another DAG’s URL', async () => {
    const backfill = await createBackfill(app.ctx, {
      dagId: DAG_ID,
      fromDate: new Date('2026-01-20T12:00:00Z'),
      toDate: new Date('2026-01-21T12:00:00Z'),
    });
    const page = await app.login('op');
    await page.goto(`${app.baseUrl}/dags/${OTHER_DAG}/details`);
    const answer = await page.evaluate<{ status: number; text: string }>(`(async () => {
      const token = document.querySelector('input[name=_csrf]').value;
      const body = new URLSearchParams({ _csrf: token, confirmed: 'yes' });
      const res = await fetch('/dags/${OTHER_DAG}/backfills/${backfill.id}/cancel', { method: 'POST', body });
      return { status: res.status, text: await res.text() };
    })()`);
    expect(answer.status).toBe(404);
    expect(answer.text).toContain(`backfill ${backfill.id} of DAG &#39;${OTHER_DAG}&#39; not found`);
    expect((await requireBackfill(app.ctx, backfill.id)).cancelled).toBe(false);
    await page.context().close();
  }, 120_000);
});
