import type { Router } from 'express';
import { listDagRows, listImportErrors } from '../data/dag-list';
import type { UiRouteContext } from '../ui-route-context';
import { noticeOf, page } from './route-helpers';

export function registerDagListRoutes(router: Router, c: UiRouteContext): void {
  router.get(
    '/',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      const ds = c.ctx.dataSource;
      const [dags, importErrors] = await Promise.all([listDagRows(ds), listImportErrors(ds)]);
      const tag = typeof req.query.tag === 'string' && req.query.tag ? req.query.tag : null;
      c.render(req, res, 'dag-list.njk', {
        dags: tag ? dags.filter((dag) => dag.tags.includes(tag)) : dags,
        tag,
        importErrors,
        notice: noticeOf(req),
      });
    }),
  );
}
