import type { Request, Router } from 'express';
import { maskSensitiveKeys } from '../../../core/secrets-masker';
import { extraSensitiveWords } from '../../../core/sensitive-names';
import { loadGridData } from '../data/grid-data';
import { pickRun } from '../data/run-states';
import { currentUser, hasRole } from '../ui-deps';
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
      const grid = await loadGridData(c.ctx.dataSource, header.dag, limit);
      const selectedRun = await pickRun(c.ctx.dataSource, header.dag.dagId, queryString(req.query.run_id));
      c.render(req, res, 'grid.njk', {
        ...header,
        grid,
        gridJson: JSON.stringify(grid),
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
      const grid = await loadGridData(c.ctx.dataSource, header.dag, queryInt(req.query.num_runs, 25, 1, 200));
      res.set('Cache-Control', 'no-store').json(grid);
    }),
  );
}

/** A viewer sees the values under sensitive keys of a run's conf as `***` (as in the API). */
function confAsSeenBy(req: Request, c: UiRouteContext, conf: unknown): unknown {
  if (hasRole(currentUser(req), 'op')) return conf;
  return maskSensitiveKeys(conf, extraSensitiveWords(c.ctx.config.core.sensitive_var_conn_names));
}
