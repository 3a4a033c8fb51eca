import type { Router } from 'express';
import type { UiRouteContext } from '../ui-route-context';
import { registerConnectionAdminRoutes } from './admin/connection-admin-routes';
import { registerPoolAdminRoutes } from './admin/pool-admin-routes';
import { registerUserAdminRoutes } from './admin/user-admin-routes';
import { registerVariableAdminRoutes } from './admin/variable-admin-routes';

/**
 * The admin pages that edit variables, connections, pools and users. Each page and change has the
 * role the REST API requires for it, every change is a CSRF-checked POST, and each goes through
 * the same service as the CLI and the API, so the audit log records who made it.
 */
export function registerAdminRoutes(router: Router, c: UiRouteContext): void {
  registerVariableAdminRoutes(router, c);
  registerConnectionAdminRoutes(router, c);
  registerPoolAdminRoutes(router, c);
  registerUserAdminRoutes(router, c);
}
