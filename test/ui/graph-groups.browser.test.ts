import type { Page } from 'playwright-core';
import { TaskInstanceEntity } from '../../src/db/entities';
import { execSql } from '../../src/db/sql';
import { startBrowserApp, type BrowserApp } from './helpers/browser-app';
import { makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

/**
 * The graph's task-group folding in Chromium: a DAG with a group nested in a group and a group of
 * parallel tasks. Clicking a group's label folds it into one node, clicking that node unfolds it;
 * edges into and out of a folded group end at its node; a node (task, mapped task or folded group)
 * shows its most urgent state, and a folded group recolours live as its tasks change.
 */

const DAG_ID = 'warehouse';
const EDGES: Array<[string, string]> = [
  ['start', 'etl.extract'],
  ['etl.extract', 'etl.transform.clean'],
  ['etl.transform.clean', 'etl.transform.enrich'],
  ['etl.transform.enrich', 'etl.load'],
  ['etl.load', 'publish'],
  ['start', 'report.summary'],
  ['start', 'report.mail'],
  ['start', 'report.archive'],
  ['report.summary', 'publish'],
  ['report.mail', 'publish'],
  ['report.archive', 'publish'],
];
/** The latest run, still running: a failure hides in each group. */
const LATEST = 'manual__r1';
/** An older run where everything succeeded. */
const OLDER = 'manual__r0';

/**
 * Runs in the page: every edge of the graph as 'from -> to', named by the node whose box holds the
 * edge's first and last point ('?' when no box does): what a user reads off the drawing.
 */
const DRAWN_EDGES = `(() => {
  const boxes = [...document.querySelectorAll('svg#graph g.node')].map((g) => {
    const m = /translate\\(([-\\d.]+),([-\\d.]+)\\)/.exec(g.getAttribute('transform'));
    const rect = g.querySelector('rect.box');
    return { id: g.getAttribute('data-node-id'), x: +m[1], y: +m[2],
             w: +rect.getAttribute('width'), h: +rect.getAttribute('height') };
  });
  const at = ([x, y]) => {
    const box = boxes.find((b) => x >= b.x - 3 && x <= b.x + b.w + 3 && y >= b.y - 3 && y <= b.y + b.h + 3);
    return box ? box.id : '?';
  };
  return [...document.querySelectorAll('svg#graph path.edge')].map((path) => {
    const points = path.getAttribute('d').match(/-?[\\d.]+,-?[\\d.]+/g).map((p) => p.split(',').map(Number));
    return at(points[0]) + ' -> ' + at(points[points.length - 1]);
  }).sort();
})()`;

/** Runs in the page: each cluster's label and rectangle (SVG units). */
const CLUSTERS = `[...document.querySelectorAll('svg#graph g.cluster')].map((g) => {
  const r = g.querySelector('rect');
  return { label: g.querySelector('text').textContent.replace('▾', '').trim(),
           x: +r.getAttribute('x'), y: +r.getAttribute('y'),
           w: +r.getAttribute('width'), h: +r.getAttribute('height') };
})`;

interface ClusterBox {
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

describe('graph task-group folding in a browser', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    const ds = app.ctx.dataSource;
    const group = (taskId: string) => taskId.slice(0, taskId.lastIndexOf('.'));
    const ids = ['start', 'etl.extract', 'etl.transform.clean', 'etl.transform.enrich', 'etl.load'];
    ids.push('report.summary', 'report.mail', 'report.archive', 'publish');
    const tasks = ids.map((id) =>
      makeTask(id, {
        ...(id.includes('.') ? { taskGroup: group(id) } : {}),
        ...(id === 'etl.transform.enrich' ? { mapped: { args: [{ name: 'part', literal: [1, 2, 3] }] } } : {}),
      }),
    );
    await seedDag(ds, makeDag(DAG_ID, tasks, {}, EDGES));

    await seedRun(ds, DAG_ID, OLDER, 'success', '2026-02-27T12:00:00Z');
    for (const id of ids) if (id !== 'etl.transform.enrich') await seedTi(ds, DAG_ID, OLDER, id, 'success');
    for (const mapIndex of [0, 1, 2]) await seedTi(ds, DAG_ID, OLDER, 'etl.transform.enrich', 'success', { mapIndex });

    await seedRun(ds, DAG_ID, LATEST, 'running', '2026-02-28T12:00:00Z');
    const states: Record<string, TaskInstanceEntity['state']> = {
      start: 'success',
      'etl.extract': 'success',
      'etl.transform.clean': 'success',
      'etl.load': 'upstream_failed',
      'report.summary': 'running',
      'report.mail': 'failed',
      'report.archive': null,
      publish: null,
    };
    for (const [id, state] of Object.entries(states)) await seedTi(ds, DAG_ID, LATEST, id, state);
    // the mapped task: its second instance failed, the last one succeeded
    for (const [mapIndex, state] of [
      [0, 'success'],
      [1, 'failed'],
      [2, 'success'],
    ] as const)
      await seedTi(ds, DAG_ID, LATEST, 'etl.transform.enrich', state, { mapIndex });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const drawnEdges = (page: Page) => page.evaluate<string[]>(DRAWN_EDGES);
  const nodeIds = (page: Page) =>
    page.evaluate<string[]>(
      `[...document.querySelectorAll('svg#graph g.node')].map((n) => n.getAttribute('data-node-id')).sort()`,
    );
  const node = (page: Page, id: string) => page.locator(`svg#graph g.node[data-node-id="${id}"]`);
  const stateOf = async (page: Page, id: string) =>
    /state-(\S+)/.exec((await node(page, id).getAttribute('class')) ?? '')?.[1];
  const collapsedParam = (page: Page) =>
    (new URL(page.url()).searchParams.get('collapsed') ?? '').split(',').filter(Boolean).sort();

  it('draws nested groups as nested clusters, each node in its most urgent state', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/graph`);

    const clusters = await page.evaluate<ClusterBox[]>(CLUSTERS);
    expect(clusters.map((c) => c.label).sort()).toEqual(['etl', 'etl.transform', 'report']);
    const [etl, transform] = ['etl', 'etl.transform'].map((label) => clusters.find((c) => c.label === label)!);
    // the inner group's box lies inside the outer one's
    expect(transform.x).toBeGreaterThan(etl.x);
    expect(transform.y).toBeGreaterThan(etl.y);
    expect(transform.x + transform.w).toBeLessThan(etl.x + etl.w);
    expect(transform.y + transform.h).toBeLessThan(etl.y + etl.h);

    expect(await nodeIds(page)).toEqual([...new Set(EDGES.flat())].sort());
    expect(await drawnEdges(page)).toEqual(EDGES.map(([from, to]) => `${from} -> ${to}`).sort());
    expect(await stateOf(page, 'start')).toBe('success');
    expect(await stateOf(page, 'report.summary')).toBe('running');
    expect(await stateOf(page, 'report.archive')).toBe('none');
    // a mapped task shows its worst instance, not whichever instance was read last
    expect(await stateOf(page, 'etl.transform.enrich')).toBe('failed');
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('folds a group into one node by its label and unfolds it by that node; edges end at the group', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/graph`);

    // fold the inner group: its two tasks become one node, which the edges now reach
    await Promise.all([
      page.waitForURL(/collapsed=/),
      page.click('svg#graph g.cluster text:text-is("▾ etl.transform")'),
    ]);
    expect(collapsedParam(page)).toEqual(['etl.transform']);
    expect(await node(page, 'etl.transform').getAttribute('class')).toContain('kind-group');
    await expect(node(page, 'etl.transform').locator('text.sub').textContent()).resolves.toBe('2 tasks');
    expect(await stateOf(page, 'etl.transform')).toBe('failed');
    expect(await node(page, 'etl.transform.clean').count()).toBe(0);
    expect(await drawnEdges(page)).toEqual(
      expect.arrayContaining(['etl.extract -> etl.transform', 'etl.transform -> etl.load']),
    );
    expect((await drawnEdges(page)).filter((edge) => edge.includes('etl.transform'))).toHaveLength(2);

    // fold the outer group too: one node for its four tasks
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('collapsed')?.split(',').length === 2),
      page.click('svg#graph g.cluster text:text-is("▾ etl")'),
    ]);
    expect(collapsedParam(page)).toEqual(['etl', 'etl.transform']);
    await expect(node(page, 'etl').locator('text.sub').textContent()).resolves.toBe('4 tasks');
    expect(await stateOf(page, 'etl')).toBe('failed');
    expect(await node(page, 'etl.transform').count()).toBe(0);
    expect((await drawnEdges(page)).filter((edge) => edge.includes('etl'))).toEqual(['etl -> publish', 'start -> etl']);

    // unfold the outer group by clicking its node: the inner one stays folded
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('collapsed') === 'etl.transform'),
      node(page, 'etl').click(),
    ]);
    expect(await node(page, 'etl.transform').getAttribute('class')).toContain('kind-group');
    expect(await page.locator('svg#graph g.cluster text:text-is("▾ etl")').count()).toBe(1);

    // unfold the inner group: every task is back, and so is every edge
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('collapsed') === ''),
      node(page, 'etl.transform').click(),
    ]);
    expect(await drawnEdges(page)).toEqual(EDGES.map(([from, to]) => `${from} -> ${to}`).sort());

    // a group of parallel tasks folds through the toolbar's toggle: three edges in, three out, merged
    await Promise.all([page.waitForURL(/collapsed=report/), page.click('a.group-toggle:has-text("report")')]);
    await expect(node(page, 'report').locator('text.sub').textContent()).resolves.toBe('3 tasks');
    // running, failed and not started: the failure shows
    expect(await stateOf(page, 'report')).toBe('failed');
    expect((await drawnEdges(page)).filter((edge) => edge.includes('report'))).toEqual([
      'report -> publish',
      'start -> report',
    ]);
    await expect(page.locator('a.group-toggle:has-text("report")').textContent()).resolves.toContain('▸');
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('keeps the chosen run while folding', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/graph?run_id=${OLDER}`);
    await Promise.all([page.waitForURL(/collapsed=etl/), page.click('svg#graph g.cluster text:text-is("▾ etl")')]);
    expect(new URL(page.url()).searchParams.get('run_id')).toBe(OLDER);
    expect(await stateOf(page, 'etl')).toBe('success');
    expect(await stateOf(page, 'report.mail')).toBe('success');
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('recolours a folded group live as its tasks change', async () => {
    const page = await app.login('viewer');
    await page.goto(`${app.baseUrl}/dags/${DAG_ID}/graph?collapsed=report`);
    expect(await stateOf(page, 'report')).toBe('failed');
    await page.evaluate("window.marker = 'same page'");
    // the failed mail task is up for retry now; its sibling still runs, the third has not started
    await execSql(
      app.ctx.dataSource,
      "UPDATE task_instance SET state = 'up_for_retry' WHERE run_id = ? AND task_id = 'report.mail'",
      [LATEST],
    );
    await page.waitForSelector('svg#graph g.node[data-node-id="report"].state-up_for_retry', { timeout: 30_000 });
    expect(await page.evaluate('window.marker')).toBe('same page');
    await page.context().close();
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
