import type { DataSource } from 'typeorm';
import { InvalidArgumentError, NotFoundError, StateConflictError } from '../core/errors';
import {
  ACTIONS,
  BUILT_IN_ROLES,
  BUILT_IN_ROLE_DISPLAY,
  RESOURCES,
  builtInPermissionSet,
  builtInPermissions,
  isBuiltInRole,
  knownAction,
  knownResource,
  permissionSet,
  type Permission,
  type PermissionSet,
} from '../core/permissions';
import { RoleEntity, UserEntity } from '../db/entities';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { AlreadyExistsError } from './already-exists-error';
import { auditChange } from './audit-log';
import type { ServiceContext } from './service-context';

/** A role as Airflow shows it: built-in (Admin, Op, Viewer) or custom, with its permissions. */
export interface RoleRecord {
  /** `Admin` for a built-in role, the name as created for a custom one. */
  name: string;
  /** What a user's `role` column holds: `admin` for a built-in role, the name for a custom one. */
  key: string;
  builtIn: boolean;
  permissions: Permission[];
}

export const MAX_ROLE_NAME_LENGTH = 64;

function builtInRecord(role: (typeof BUILT_IN_ROLES)[number]): RoleRecord {
  return { name: BUILT_IN_ROLE_DISPLAY[role], key: role, builtIn: true, permissions: builtInPermissions(role) };
}

function parsePermissions(text: string): Permission[] {
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? (parsed as Permission[]) : [];
}

function customRecord(row: RoleEntity): RoleRecord {
  return { name: row.name, key: row.name, builtIn: false, permissions: parsePermissions(row.permissions) };
}

/** Sorted by resource then action, without duplicates: the stored and shown order. */
function normalized(permissions: readonly Permission[]): Permission[] {
  const unique = new Map(permissions.map((p) => [`${p.resource}\0${p.action}`, p]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/**
 * Permissions as typed (any case) in Airflow's spelling; an unknown action or resource is refused,
 * naming it and what is known.
 */
export function checkPermissions(permissions: readonly Permission[]): Permission[] {
  return normalized(
    permissions.map((p) => {
      const action = knownAction(p.action);
      if (!action)
        throw new InvalidArgumentError(`unknown action '${p.action}': expected one of ${ACTIONS.join(', ')}`);
      const resource = knownResource(p.resource);
      if (!resource)
        throw new InvalidArgumentError(`unknown resource '${p.resource}': expected one of ${RESOURCES.join(', ')}`);
      return { action, resource };
    }),
  );
}

function builtInNamed(name: string): (typeof BUILT_IN_ROLES)[number] | undefined {
  const lower = name.trim().toLowerCase();
  return BUILT_IN_ROLES.find((role) => role === lower);
}

function assertRoleName(name: string): string {
  const trimmed = name.trim();
  // The lower-case key is stored too: a few letters grow when lowered ('İ').
  const tooLong = Math.max(trimmed.length, trimmed.toLowerCase().length) > MAX_ROLE_NAME_LENGTH;
  if (!trimmed || tooLong || /[\0\n\r]/.test(trimmed))
    throw new InvalidArgumentError(
      `invalid role name '${name.slice(0, 100)}': expected 1 to ${MAX_ROLE_NAME_LENGTH} characters on one line`,
    );
  return trimmed;
}

async function findCustomRow(ds: DataSource, name: string): Promise<RoleEntity | null> {
  const key = name.trim().toLowerCase();
  if (!key || key.length > MAX_ROLE_NAME_LENGTH || key.includes('\0')) return null;
  return ds.getRepository(RoleEntity).findOneBy({ nameKey: key });
}

/** The built-in roles (Admin, Op, Viewer) then the custom ones by name. */
export async function listRoles(ctx: ServiceContext): Promise<RoleRecord[]> {
  const rows = await ctx.dataSource.getRepository(RoleEntity).find({ order: { nameKey: 'ASC' } });
  return [...[...BUILT_IN_ROLES].reverse().map(builtInRecord), ...rows.map(customRecord)];
}

/** The role with this name, case-insensitively (`Admin` = `admin`), or a NotFoundError. */
export async function getRole(ctx: ServiceContext, name: string): Promise<RoleRecord> {
  const builtIn = builtInNamed(name);
  if (builtIn) return builtInRecord(builtIn);
  const row = await findCustomRow(ctx.dataSource, name);
  if (!row) throw new NotFoundError(`Role with name '${name.slice(0, 100)}' was not found`);
  return customRecord(row);
}

/** The role a user may be given under this name, as their `role` column stores it, or undefined. */
export async function findRoleKey(ds: DataSource, name: string): Promise<string | undefined> {
  return builtInNamed(name) ?? (await findCustomRow(ds, name))?.name;
}

/**
 * What a user holding `role` (their `role` column) may do; null when no such role exists (a user
 * whose role is unknown may not log in). Built-in roles cost no query.
 */
export async function permissionsOfRole(ds: DataSource, role: string): Promise<PermissionSet | null> {
  if (isBuiltInRole(role)) return builtInPermissionSet(role);
  const row = await findCustomRow(ds, role);
  return row ? permissionSet(parsePermissions(row.permissions)) : null;
}

function refuseBuiltIn(what: string, name: string): void {
  const builtIn = builtInNamed(name);
  if (builtIn)
    throw new InvalidArgumentError(
      `cannot ${what} role '${BUILT_IN_ROLE_DISPLAY[builtIn]}': the roles Admin, Op and Viewer are built in`,
    );
}

export async function createRole(
  ctx: ServiceContext,
  input: { name: string; permissions: readonly Permission[] },
): Promise<RoleRecord> {
  const name = assertRoleName(input.name);
  if (builtInNamed(name) || (await findCustomRow(ctx.dataSource, name)))
    throw new AlreadyExistsError(`Role with name '${name}' already exists; please update it instead`);
  const permissions = checkPermissions(input.permissions);
  const now = ctx.clock.now().toISOString();
  // Two requests creating the same name at once: the unique key lets one in, the other is told.
  const { affected } = await execSql(
    ctx.dataSource,
    `INSERT INTO dagctl_role (name, name_key, permissions, created_at, changed_on)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [name, name.toLowerCase(), JSON.stringify(permissions), now, now],
  );
  if (affected === 0) throw new AlreadyExistsError(`Role with name '${name}' already exists; please update it instead`);
  await auditChange(ctx, { event: 'role_create', extra: { role: name, permissions: permissions.length } });
  return getRole(ctx, name);
}

export interface RolePatch {
  name?: string;
  permissions?: readonly Permission[];
}

/**
 * Rename a custom role (its holders keep it) and/or replace its permissions; built-in roles are
 * refused. Takes effect on the next request of each holder: permissions are read per request.
 */
export async function updateRole(ctx: ServiceContext, name: string, patch: RolePatch): Promise<RoleRecord> {
  refuseBuiltIn('change', name);
  const row = await findCustomRow(ctx.dataSource, name);
  if (!row) throw new NotFoundError(`Role with name '${name.slice(0, 100)}' was not found`);
  const newName = patch.name === undefined ? row.name : assertRoleName(patch.name);
  if (
    newName.toLowerCase() !== row.nameKey &&
    (builtInNamed(newName) || (await findCustomRow(ctx.dataSource, newName)))
  )
    throw new AlreadyExistsError(`Role with name '${newName}' already exists`);
  const permissions = patch.permissions === undefined ? undefined : checkPermissions(patch.permissions);
  await runInTransaction(ctx.dataSource, async (m) => {
    await m.getRepository(RoleEntity).update(
      { id: row.id },
      {
        name: newName,
        nameKey: newName.toLowerCase(),
        ...(permissions ? { permissions: JSON.stringify(permissions) } : {}),
        changedOn: ctx.clock.now(),
      },
    );
    if (newName !== row.name) await m.getRepository(UserEntity).update({ role: row.name }, { role: newName });
  });
  const fields = [...(newName !== row.name ? ['name'] : []), ...(permissions ? ['actions'] : [])];
  await auditChange(ctx, { event: 'role_edit', extra: { role: row.name, new_name: newName, fields } });
  return getRole(ctx, newName);
}

/** Add permissions to (or, with `remove`, take them from) custom roles: the CLI's add-perms / del-perms. */
export async function changeRolePermissions(
  ctx: ServiceContext,
  names: readonly string[],
  permissions: readonly Permission[],
  remove: boolean,
): Promise<RoleRecord[]> {
  const wanted = checkPermissions(permissions);
  const roles = await Promise.all(names.map((name) => getRole(ctx, name)));
  for (const role of roles) refuseBuiltIn('change', role.name);
  const drop = new Set(wanted.map((p) => `${p.resource}\0${p.action}`));
  const updated: RoleRecord[] = [];
  for (const role of roles) {
    const next = remove
      ? role.permissions.filter((p) => !drop.has(`${p.resource}\0${p.action}`))
      : [...role.permissions, ...wanted];
    updated.push(await updateRole(ctx, role.name, { permissions: next }));
  }
  return updated;
}

/** How many users hold the role stored as `key` in their `role` column. */
async function holders(ds: DataSource, key: string): Promise<number> {
  const { records } = await execSql<{ n: number | string }>(
    ds,
    'SELECT COUNT(*) AS n FROM dagctl_user WHERE role = ?',
    [key],
  );
  return Number(records[0]?.n ?? 0);
}

/** Delete a custom role nobody holds; built-in roles are refused, a held role is a conflict. */
export async function deleteRole(ctx: ServiceContext, name: string): Promise<void> {
  refuseBuiltIn('delete', name);
  const row = await findCustomRow(ctx.dataSource, name);
  if (!row) throw new NotFoundError(`Role with name '${name.slice(0, 100)}' was not found`);
  const held = await holders(ctx.dataSource, row.name);
  if (held > 0)
    throw new StateConflictError(
      `role '${row.name}' is held by ${held} user${held === 1 ? '' : 's'}: give them another role first`,
    );
  await ctx.dataSource.getRepository(RoleEntity).delete({ id: row.id });
  await auditChange(ctx, { event: 'role_delete', extra: { role: row.name } });
}
