import express, { type Application } from 'express';
import { createNunjucksEnv } from './render/nunjucks-env';
import { createPageRenderer } from './render/render-page';
import { registerActionRoutes } from './routes/action-routes';
import { registerAdminRoutes } from './routes/admin-routes';
import { registerDatasetRoutes } from './routes/dataset-routes';
import { registerCalendarRoutes } from './routes/calendar-routes';
import { registerCodeAndDetailsRoutes } from './routes/code-details-routes';
import { registerDagListRoutes } from './routes/dag-list-routes';
import { registerDurationsRoutes } from './routes/durations-routes';
import { registerGanttRoutes } from './routes/gantt-routes';
import { registerGraphRoutes } from './routes/graph-routes';
import { registerGridRoutes } from './routes/grid-routes';
import { registerLoginRoutes } from './routes/login-routes';
import { registerTaskInstanceRoutes } from './routes/task-instance-routes';
import type { UiDeps } from './ui-deps';
import { uiPaths } from './ui-paths';
import { requireReadPermission } from './ui-read-permissions';
import type { UiRouteContext } from './ui-route-context';

export type { UiDeps, UiRole, UiUser } from './ui-deps';

/** Where the UI's CSS and JS are served; public, so the login page is styled too. */
export const UI_STATIC_PREFIX = '/ui/static';

/**
 * Mount the monitoring UI on the web app: pages at `/`, `/dags/…`, `/admin/…`, `/login` (the
 * form; the auth layer handles its POST), JSON for live views under `/ui/…`, assets under
 * `/ui/static`. Every page but /login requires a logged-in user; each action and admin page the permission
 * it needs (a built-in role's or a custom role's) and CSRF.
 */
export function mountUi(app: Application, deps: UiDeps): void {
  const paths = uiPaths();
  const env = createNunjucksEnv(paths.views);
  const c: UiRouteContext = { deps, ctx: deps.ctx, render: createPageRenderer(env, deps) };
  const router = express.Router();
  router.use(UI_STATIC_PREFIX, express.static(paths.static, { maxAge: '1h', index: false, fallthrough: false }));
  registerLoginRoutes(router, c);
  router.use(requireReadPermission(c));
  registerDagListRoutes(router, c);
  registerGridRoutes(router, c);
  registerCalendarRoutes(router, c);
  registerGraphRoutes(router, c);
  registerGanttRoutes(router, c);
  registerDurationsRoutes(router, c);
  registerCodeAndDetailsRoutes(router, c);
  registerTaskInstanceRoutes(router, c);
  registerActionRoutes(router, c);
  registerAdminRoutes(router, c);
  registerDatasetRoutes(router, c);
  app.use(router);
}
