import type { Permission } from '../../core/permissions';
import type { ApiRoute, HttpMethod } from '../api-context';

/**
 * The one place that says which permission each REST route needs, as Airflow's
 * `@security.requires_access` does: a route's resource comes from its path, its action from its
 * method (GET → can_read, POST → can_create, PATCH → can_edit, DELETE → can_delete), with the
 * exceptions listed. The built-in roles' grants (core/permissions) are chosen so that every route
 * stays open to exactly the built-in roles its `access` names (a unit test checks every route).
 */

const ACTION_OF: Record<HttpMethod, string> = {
  get: 'can_read',
  post: 'can_create',
  patch: 'can_edit',
  delete: 'can_delete',
};

/** Path patterns (tried in order) → the resource they act on. */
const RESOURCE_OF: Array<[RegExp, string]> = [
  [/\/xcomEntries(\/|$)/, 'XComs'],
  [/\/logs\//, 'Task Logs'],
  [/\/upstreamDatasetEvents$/, 'DAG Runs'],
  [/\/taskInstances(\/|$)|\/clearTaskInstances$|\/updateTaskInstancesState$/, 'Task Instances'],
  [/\/dagRuns(\/|$)|^\/x-dagctl\/backfills/, 'DAG Runs'],
  [/^\/dags(\/|$)/, 'DAGs'],
  [/^\/datasets/, 'Datasets'],
  [/^\/variables/, 'Variables'],
  [/^\/connections/, 'Connections'],
  [/^\/pools/, 'Pools'],
  [/^\/importErrors/, 'ImportError'],
  [/^\/dagSources/, 'DAG Code'],
  [/^\/eventLogs/, 'Audit Logs'],
  [/^\/config$/, 'Configurations'],
  [/^\/plugins$/, 'Plugins'],
  [/^\/providers$/, 'Providers'],
  [/^\/dagWarnings$/, 'DAG Warnings'],
  [/^\/users/, 'Users'],
  [/^\/roles/, 'Roles'],
  [/^\/permissions$/, 'Permissions'],
];

/** `method path` → the action, where the method alone does not say it. */
const ACTION_EXCEPTIONS: Record<string, string> = {
  // Listing with a JSON body is a read.
  'post /dags/~/dagRuns/list': 'can_read',
  'post /dags/~/dagRuns/~/taskInstances/list': 'can_read',
  // Changing states of existing runs and task instances (Airflow: can_edit).
  'post /dags/{dag_id}/dagRuns/{dag_run_id}/clear': 'can_edit',
  'post /dags/{dag_id}/clearTaskInstances': 'can_edit',
  'post /dags/{dag_id}/updateTaskInstancesState': 'can_edit',
  'post /x-dagctl/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/hold': 'can_edit',
  'post /x-dagctl/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/resume': 'can_edit',
  'post /x-dagctl/backfills/{backfill_id}/pause': 'can_edit',
  'post /x-dagctl/backfills/{backfill_id}/unpause': 'can_edit',
  'post /x-dagctl/backfills/{backfill_id}/cancel': 'can_edit',
  // Testing a connection is creating one that is not saved (Airflow: can_create).
  'post /connections/test': 'can_create',
};

/**
 * Routes any logged-in user may call whatever their role: the server's version, who you are, and
 * your own API tokens (which grant no more than your role).
 */
const ANY_USER = new Set([
  'get /version',
  'get /x-dagctl/whoami',
  'get /x-dagctl/tokens',
  'post /x-dagctl/tokens',
  'delete /x-dagctl/tokens/{token_id}',
]);

/**
 * The permissions a route needs (all of them): empty for routes any logged-in user may call,
 * null for public routes. Throws for a route no rule covers, so a new route cannot go unguarded.
 */
export function routePermissions(route: Pick<ApiRoute, 'method' | 'path' | 'access'>): Permission[] | null {
  if (route.access === 'public') return null;
  const key = `${route.method} ${route.path}`;
  if (ANY_USER.has(key)) return [];
  const resource = RESOURCE_OF.find(([pattern]) => pattern.test(route.path))?.[1];
  if (!resource) throw new Error(`no permission rule covers ${key}: add one in src/api/access/route-permissions.ts`);
  return [{ action: ACTION_EXCEPTIONS[key] ?? ACTION_OF[route.method], resource }];
}
