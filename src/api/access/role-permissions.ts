import type { UserRole } from '../../auth/auth-user';

/** An Airflow permission: an action on a resource (`can_edit` on `Pools`). */
export interface Permission {
  action: string;
  resource: string;
}

const READ = ['can_read'];
const WRITE = ['can_read', 'can_create', 'can_edit', 'can_delete'];

/** What each role may do beyond the role below it (admin > op > viewer). */
const GRANTS: Record<UserRole, Array<[resource: string, actions: string[]]>> = {
  viewer: [
    ['DAGs', READ],
    ['DAG Runs', READ],
    ['Task Instances', READ],
    ['Task Logs', READ],
    ['XComs', READ],
    ['Pools', READ],
    ['ImportError', READ],
    ['DAG Code', READ],
    ['Audit Logs', READ],
    ['DAG Warnings', READ],
    ['Plugins', READ],
    ['Providers', READ],
    ['Website', READ],
  ],
  op: [
    ['DAGs', ['can_edit', 'can_delete']],
    ['DAG Runs', ['can_create', 'can_edit', 'can_delete']],
    ['Task Instances', ['can_edit']],
    ['Pools', ['can_create', 'can_edit', 'can_delete']],
    ['Variables', WRITE],
    ['Connections', WRITE],
    ['Configurations', READ],
  ],
  admin: [
    ['Users', WRITE],
    ['Roles', READ],
    ['Permissions', READ],
  ],
};

const ORDER: readonly UserRole[] = ['viewer', 'op', 'admin'];

/** Every permission `role` has, its own and those of the roles below it. */
export function rolePermissions(role: UserRole): Permission[] {
  const upTo = ORDER.slice(0, ORDER.indexOf(role) + 1);
  return upTo.flatMap((level) =>
    GRANTS[level].flatMap(([resource, actions]) => actions.map((action) => ({ action, resource }))),
  );
}

/** Every action name any role has (GET /permissions). */
export function allActions(): string[] {
  return [...new Set(rolePermissions('admin').map((p) => p.action))].sort();
}
