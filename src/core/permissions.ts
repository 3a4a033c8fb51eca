/**
 * Airflow's permission model: a role is a set of permissions, each an action on a resource
 * (`can_edit` on `Pools`). dagctl's three built-in roles are fixed sets (admin ⊃ op ⊃ viewer);
 * custom roles (the `dagctl_role` table) hold any set drawn from the same catalogue. Every
 * check — API route, UI page or button, secret reveal — asks for one permission, never a rank.
 */

/** An Airflow permission: an action on a resource. */
export interface Permission {
  action: string;
  resource: string;
}

/** The roles every dagctl has; their permissions are the grants below, not stored. */
export const BUILT_IN_ROLES = ['viewer', 'op', 'admin'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

/** How Airflow spells the built-in roles (`GET /roles`, `users list`). */
export const BUILT_IN_ROLE_DISPLAY: Readonly<Record<BuiltInRole, string>> = {
  admin: 'Admin',
  op: 'Op',
  viewer: 'Viewer',
};

export const ACTIONS = ['can_read', 'can_create', 'can_edit', 'can_delete'] as const;

const READ = ['can_read'];
const WRITE = [...ACTIONS];

/** What each built-in role may do beyond the role below it (admin > op > viewer). */
const GRANTS: Record<BuiltInRole, Array<[resource: string, actions: string[]]>> = {
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
    ['Datasets', READ],
  ],
  op: [
    ['DAGs', ['can_edit', 'can_delete']],
    ['DAG Runs', ['can_create', 'can_edit', 'can_delete']],
    ['Task Instances', ['can_edit']],
    ['Pools', ['can_create', 'can_edit', 'can_delete']],
    ['Variables', WRITE],
    ['Connections', WRITE],
    ['Configurations', READ],
    ['Datasets', ['can_create']],
  ],
  admin: [
    ['Users', WRITE],
    ['Roles', WRITE],
    ['Permissions', READ],
  ],
};

/** Every resource a permission may name: those of the built-in grants. */
export const RESOURCES: readonly string[] = [
  ...new Set(Object.values(GRANTS).flatMap((grants) => grants.map(([resource]) => resource))),
];

export function isBuiltInRole(value: unknown): value is BuiltInRole {
  return typeof value === 'string' && (BUILT_IN_ROLES as readonly string[]).includes(value);
}

/** Every permission built-in `role` has, its own and those of the roles below it. */
export function builtInPermissions(role: BuiltInRole): Permission[] {
  const upTo = BUILT_IN_ROLES.slice(0, BUILT_IN_ROLES.indexOf(role) + 1);
  return upTo.flatMap((level) =>
    GRANTS[level].flatMap(([resource, actions]) => actions.map((action) => ({ action, resource }))),
  );
}

/** `can_edit on Pools`: how a permission is named in messages and kept in permission sets. */
export function permissionName(p: Permission): string {
  return `${p.action} on ${p.resource}`;
}

/** A role's permissions as a set of `permissionName`s, for quick checks. */
export type PermissionSet = ReadonlySet<string>;

export function permissionSet(permissions: readonly Permission[]): PermissionSet {
  return new Set(permissions.map(permissionName));
}

export function hasPermission(set: PermissionSet, p: Permission): boolean {
  return set.has(permissionName(p));
}

const BUILT_IN_SETS = new Map<BuiltInRole, PermissionSet>(
  BUILT_IN_ROLES.map((role) => [role, permissionSet(builtInPermissions(role))]),
);

export function builtInPermissionSet(role: BuiltInRole): PermissionSet {
  return BUILT_IN_SETS.get(role) as PermissionSet;
}

/** A known action name (case-insensitive) in Airflow's spelling, or undefined. */
export function knownAction(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  return ACTIONS.find((action) => action === lower);
}

/** A known resource name (case-insensitive) in Airflow's spelling, or undefined. */
export function knownResource(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  return RESOURCES.find((resource) => resource.toLowerCase() === lower);
}

/** Who may see a run's conf in clear: whoever may trigger runs with such conf. */
export const SEE_RUN_CONF: Permission = { action: 'can_create', resource: 'DAG Runs' };
