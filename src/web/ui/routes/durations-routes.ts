import type { Router } from 'express';
import { buildDurationsChart } from '../charts/durations-chart';
import { loadRecentRuns, loadTaskInstances } from '../data/grid-data';
import { secondsBetween } from '../render/format';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage, queryInt } from './dag-page-data';
import { page } from './route-helpers';

export function registerDurationsRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/dags/:dagId/durations',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'durations');
      const ds = c.ctx.dataSource;
      const limit = queryInt(req.query.num_runs, 25, 2, 200);
      const runs = await loadRecentRuns(ds, header.dag.dagId, limit);
      const tis = await loadTaskInstances(
        ds,
        header.dag.dagId,
        runs.map((run) => run.runId),
      );
      const samples = runs.map((run) => {
        const durations: Record<string, number | null> = {};
        for (const ti of tis) {
          if (ti.runId !== run.runId) continue;
          durations[ti.taskId] = ti.duration ?? (ti.endDate ? secondsBetween(ti.startDate, ti.endDate) : null);
        }
        return { runId: run.runId, logicalDate: run.logicalDate, durations };
      });
      c.render(req, res, 'durations.njk', {
        ...header,
        limit,
        chart: buildDurationsChart(
          header.dag.tasks.map((task) => task.taskId),
          samples,
        ),
        runCount: runs.length,
      });
    }),
  );
}
