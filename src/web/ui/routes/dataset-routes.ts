import type { Router } from 'express';
import { execSql } from '../../../db/sql';
import { listDatasets } from '../../../services/datasets';
import type { UiRouteContext } from '../ui-route-context';
import { page } from './route-helpers';

const RECENT_EVENTS = 50;

/** The Datasets page: every dataset with the tasks that update it and the DAGs it schedules, and recent updates. */
export function registerDatasetRoutes(router: Router, c: UiRouteContext): void {
  const ds = c.ctx.dataSource;
  router.get(
    '/datasets',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const datasets = (await listDatasets(c.ctx)).map((d) => ({
        ...d,
        producers: d.producingTasks.map((ref) => {
          const dot = ref.indexOf('.');
          return { dagId: ref.slice(0, dot), taskId: ref.slice(dot + 1) };
        }),
      }));
      const { records: events } = await execSql<Record<string, unknown>>(
        ds,
        `SELECT e.id, d.uri, e.source_dag_id, e.source_run_id, e.source_task_id, e.timestamp, e.extra
         FROM dataset_event e JOIN dataset d ON d.id = e.dataset_id ORDER BY e.timestamp DESC, e.id DESC LIMIT ?`,
        [RECENT_EVENTS],
      );
      c.render(req, res, 'datasets.njk', { datasets, events });
    }),
  );
}
