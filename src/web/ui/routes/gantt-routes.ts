import type { Router } from 'express';
import { layoutGantt } from '../charts/gantt-layout';
import { ganttRows } from '../data/gantt-rows';
import { loadRecentRuns, loadTaskInstances } from '../data/grid-data';
import { pickRun } from '../data/run-states';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage, queryString } from './dag-page-data';
import { page } from './route-helpers';

export function registerGanttRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/dags/:dagId/gantt',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'gantt');
      const ds = c.ctx.dataSource;
      const run = await pickRun(ds, header.dag.dagId, queryString(req.query.run_id));
      const tis = run ? await loadTaskInstances(ds, header.dag.dagId, [run.runId]) : [];
      const rows = ganttRows(header.dag.tasks, tis);
      c.render(req, res, 'gantt.njk', {
        ...header,
        run,
        runs: (await loadRecentRuns(ds, header.dag.dagId, 25)).reverse(),
        gantt: layoutGantt(rows, c.ctx.clock.now()),
      });
    }),
  );
}
