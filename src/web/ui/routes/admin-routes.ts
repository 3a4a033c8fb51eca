import type { Router } from 'express';
import { extraSensitiveWords } from '../../../core/sensitive-names';
import { listConnectionRows, listPoolRows, listUserRows, listVariableRows } from '../data/admin-data';
import type { UiRouteContext } from '../ui-route-context';
import { page } from './route-helpers';

/** Read-only admin pages; changes go through the CLI or the REST API. */
export function registerAdminRoutes(router: Router, c: UiRouteContext): void {
  const ds = c.ctx.dataSource;
  const sensitiveWords = extraSensitiveWords(c.ctx.config.core.sensitive_var_conn_names);
  const opOnly = [c.deps.requireLogin, c.deps.requireRole('op')];

  router.get(
    '/admin/variables',
    ...opOnly,
    page(c, async (req, res) => {
      c.render(req, res, 'variables.njk', { tab: 'variables', variables: await listVariableRows(ds, sensitiveWords) });
    }),
  );
  router.get(
    '/admin/connections',
    ...opOnly,
    page(c, async (req, res) => {
      c.render(req, res, 'connections.njk', {
        tab: 'connections',
        connections: await listConnectionRows(ds, sensitiveWords),
      });
    }),
  );
  router.get(
    '/admin/pools',
    c.deps.requireLogin,
    page(c, async (req, res) => {
      c.render(req, res, 'pools.njk', { tab: 'pools', pools: await listPoolRows(ds) });
    }),
  );
  router.get(
    '/admin/users',
    c.deps.requireLogin,
    c.deps.requireRole('admin'),
    page(c, async (req, res) => {
      c.render(req, res, 'users.njk', { tab: 'users', users: await listUserRows(ds) });
    }),
  );
}
