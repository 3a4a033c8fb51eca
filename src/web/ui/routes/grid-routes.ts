import type { Request, Router } from 'express';
import { maskSensitiveKeys } from '../../../core/secrets-masker';
import { extraSensitiveWords } from '../../../core/sensitive-names';
import { loadGridData } from '../data/grid-data';
import { pickRun } from '../data/run-states';
import { loadMappedInstances } from '../data/task-instance-detail';
import { renderMarkdown } from '../render/render-markdown';
import { SEE_RUN_CONF } from '../../../core/permissions';
import { currentUser, userCan } from '../ui-deps';
import type { UiRouteContext } from '../ui-route-context';
import { loadDagPage, queryInt, queryString } from './dag-page-data';
import { jsonEndpoint, page } from './route-helpers';

export function registerGridRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/dags/:dagId/grid',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const header = await loadDagPage(c, req, 'grid');
      const limit = queryInt(req.query.num_runs, 25, 1, 200);
      const grid = await loadGridData(c.ctx.dataSource, header.dag, limit, c.ctx.clock.now());
      const selectedRun = await pickRun(c.ctx.dataSource, header.dag.dagId, queryString(req.query.run_id));
      c.render(req, res, 'grid.njk', {
        ...header,
        grid,
        gridJson: JSON.stringify(grid),
        docHtml: renderMarkdown(header.dag.docMd),
        limit,
        selectedRun,
        selectedConf: selectedRun?.conf ? JSON.stringify(confAsSeenBy(req, c, selectedRun.conf), null, 2) : null,
      });
    }),
  );

  // Live refresh of the grid: the same data as the page, as JSON.
  router.get(
    '/ui/dags/:dagId/grid.json',
    c.deps.requireLogin,
    jsonEndpoint(async (req, res) => {
      const header = await loadDagPage(c, req, 'grid');
      const limit = queryInt(req.query.num_runs, 25, 1, 200);
      const grid = await loadGridData(c.ctx.dataSource, header.dag, limit, c.ctx.clock.now());
      res.set('Cache-Control', 'no-store').json(grid);
    }),
  );

  // A mapped task's instances in one run: what its grid cell expands to.
  router.get(
    '/ui/dags/:dagId/runs/:runId/tasks/:taskId/mapped.json',
    c.deps.requireLogin,
    jsonEndpoint(async (req, res) => {
      const header = await loadDagPage(c, req, 'grid');
      const taskId = String(req.params.taskId);
      if (!header.dag.tasks.some((task) => task.taskId === taskId)) {
        res.status(404).json({ error: `task '${taskId}' not found in DAG '${header.dag.dagId}'` });
        return;
      }
      const instances = await loadMappedInstances(c.ctx.dataSource, header.dag.dagId, String(req.params.runId), taskId);
      res.set('Cache-Control', 'no-store').json({ taskId, instances });
    }),
  );
}

/** A viewer sees the values under sensitive keys of a run's conf as `***` (as in the API). */
function confAsSeenBy(req: Request, c: UiRouteContext, conf: unknown): unknown {
  if (userCan(currentUser(req), SEE_RUN_CONF)) return conf;
  return maskSensitiveKeys(conf, extraSensitiveWords(c.ctx.config.core.sensitive_var_conn_names));
}
