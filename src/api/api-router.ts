import express, { type RequestHandler, type Router } from 'express';
import type { WebAuth } from '../auth/web-auth';
import { routePermissions } from './access/route-permissions';
import type { ApiContext, ApiRoute } from './api-context';
import { apiNotFound } from './error-handler';
import { MicroCache } from './micro-cache';
import { buildOpenApiDocument } from './openapi/load-openapi-document';
import { backfillRoutes } from './routes/backfill-routes';
import { connectionRoutes } from './routes/connection-routes';
import { dagRoutes } from './routes/dag-routes';
import { dagRunRoutes } from './routes/dag-run-routes';
import { datasetRoutes } from './routes/dataset-routes';
import { eventLogRoutes } from './routes/event-log-routes';
import { instanceInfoRoutes } from './routes/instance-info-routes';
import { logRoutes } from './routes/log-routes';
import { miscRoutes } from './routes/misc-routes';
import { poolRoutes } from './routes/pool-routes';
import { taskInstanceRoutes } from './routes/task-instance-routes';
import { taskInstanceHoldRoutes } from './routes/task-instance-hold-routes';
import { userRoleRoutes } from './routes/user-role-routes';
import { variableRoutes } from './routes/variable-routes';
import { xcomRoutes } from './routes/xcom-routes';
import { xDagctlRoutes } from './routes/x-dagctl-routes';

/**
 * Every REST route, in matching order: longer literal paths (xcomEntries, logs) come before
 * `…/taskInstances/{task_id}/{map_index}`, which would otherwise swallow them.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  ...dagRoutes,
  ...xcomRoutes,
  ...logRoutes,
  ...datasetRoutes,
  ...dagRunRoutes,
  ...taskInstanceRoutes,
  ...taskInstanceHoldRoutes,
  ...variableRoutes,
  ...poolRoutes,
  ...connectionRoutes,
  ...miscRoutes,
  ...eventLogRoutes,
  ...instanceInfoRoutes,
  ...userRoleRoutes,
  ...backfillRoutes,
  ...xDagctlRoutes,
];

/** `/dags/{dag_id}` → `/dags/:dag_id` (express 5 path syntax). */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

let cachedDocument: string | null = null;

/** The `/api/v1` router: auth and permission checks per route, problem JSON for unknown routes. */
export function createApiRouter(options: Omit<ApiContext, 'listCache'>, auth: WebAuth): Router {
  const api: ApiContext = { ...options, listCache: new MicroCache(), forgetCredentials: () => auth.clearCaches() };
  const router = express.Router();
  // A successful write may change any list: drop cached lists once it has been committed.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      res.on('finish', () => res.statusCode < 400 && api.listCache.clear());
    next();
  });
  cachedDocument ??= JSON.stringify(buildOpenApiDocument(API_ROUTES));
  const document = cachedDocument;

  router.get('/openapi.json', auth.requireAuth, (_req, res) => {
    res.type('application/json').send(document);
  });
  for (const route of API_ROUTES) {
    const permissions = routePermissions(route);
    const guards: RequestHandler[] = permissions ? [auth.requireAuth, auth.requirePermission(...permissions)] : [];
    router[route.method](expressPath(route.path), ...guards, async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      // The caller is the owner of every change this request makes (the audit log's `owner`).
      const actor = req.user?.username;
      await route.handler(req, res, actor ? { ...api, app: { ...api.app, actor } } : api);
    });
  }
  router.use(apiNotFound);
  return router;
}
