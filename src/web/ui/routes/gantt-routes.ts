import type { Router } from 'express';
import { layoutGantt } from '../charts/gantt-layout';
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
      const byTask = new Map(tis.map((ti) => [ti.taskId, ti]));
      const rows = header.dag.tasks.map((task) => {
        const ti = byTask.get(task.taskId);
        return {
          taskId: task.taskId,
          state: ti?.state ?? null,
          tryNumber: ti?.tryNumber ?? 0,
          startDate: ti?.startDate ?? null,
          endDate: ti?.endDate ?? null,
        };
      });
      c.render(req, res, 'gantt.njk', {
        ...header,
        run,
        runs: (await loadRecentRuns(ds, header.dag.dagId, 25)).reverse(),
        gantt: layoutGantt(rows, c.ctx.clock.now()),
      });
    }),
  );
}
