import type { Router } from 'express';
import { layoutDagGraph } from '../charts/graph-layout';
import { aggregateState } from '../data/aggregate-state';
import { loadRecentRuns } from '../data/grid-data';
import { loadRunStates, pickRun } from '../data/run-states';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage, queryString } from './dag-page-data';
import { jsonEndpoint, page, taskInstancePath } from './route-helpers';

export function registerGraphRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/dags/:dagId/graph',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'graph');
      const ds = c.ctx.dataSource;
      const collapsed = new Set((queryString(req.query.collapsed) ?? '').split(',').filter(Boolean));
      const layout = layoutDagGraph(header.dag, collapsed);
      const run = await pickRun(ds, header.dag.dagId, queryString(req.query.run_id));
      const states = run ? await loadRunStates(ds, header.dag.dagId, run.runId) : null;
      const requestedRun = queryString(req.query.run_id);
      // Links that toggle one group and keep the others as they are.
      const toggleHref = (group: string): string => {
        const next = new Set(collapsed);
        if (next.has(group)) next.delete(group);
        else next.add(group);
        const query = new URLSearchParams({ collapsed: [...next].join(',') });
        if (requestedRun) query.set('run_id', requestedRun);
        return `?${query.toString()}`;
      };
      const toggles = layout.groups.map((group) => ({
        group,
        collapsed: collapsed.has(group),
        href: toggleHref(group),
      }));
      const nodes = layout.nodes.map((node) => ({
        ...node,
        state: aggregateState(node.taskIds.map((taskId) => states?.tasks[taskId] ?? null)),
        taskIdsJson: JSON.stringify(node.taskIds),
        href:
          node.kind === 'group'
            ? toggleHref(node.id)
            : run
              ? taskInstancePath(header.dag.dagId, run.runId, node.id)
              : null,
      }));
      const clusters = layout.clusters.map((cluster) => ({ ...cluster, href: toggleHref(cluster.groupId) }));
      c.render(req, res, 'graph.njk', {
        ...header,
        layout: { ...layout, nodes, clusters },
        followLatest: !requestedRun,
        run,
        runs: (await loadRecentRuns(ds, header.dag.dagId, 25)).reverse(),
        toggles,
        collapsedValue: [...collapsed].join(','),
      });
    }),
  );

  // Live recolouring of graph nodes: states of one run (the latest when none is given).
  router.get(
    '/ui/dags/:dagId/states.json',
    c.deps.requireLogin,
    jsonEndpoint(async (req, res) => {
      const dagId = String(req.params.dagId);
      const run = await pickRun(c.ctx.dataSource, dagId, queryString(req.query.run_id));
      const states = run ? await loadRunStates(c.ctx.dataSource, dagId, run.runId) : null;
      res.set('Cache-Control', 'no-store').json(states ?? { runId: null, state: null, tasks: {} });
    }),
  );
}
