import type { Request } from 'express';
import { ACTIONS, BUILT_IN_ROLES, isBuiltInRole, type Permission } from '../../core/permissions';
import { badRequest } from '../../http/problem';
import {
  createRole,
  deleteRole,
  findRoleKey,
  getRole,
  listRoles,
  updateRole,
  type RoleRecord,
} from '../../services/roles';
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  updateUser,
  type UserPatch,
  type UserRecord,
} from '../../services/users';
import { toIso } from '../../db/column-types';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { queryPage, queryString } from '../query-params';
import {
  jsonBody,
  optionalString,
  rejectUnknownFields,
  requiredString,
  updateMask,
  type JsonObject,
} from '../request-body';
import { userJson } from '../serializers/user-json';

const USER_FIELDS = ['username', 'password', 'email', 'first_name', 'last_name', 'roles'] as const;
/** Read-only fields clients echo back from a GET: accepted and ignored, as Airflow does. */
const READ_ONLY_USER_FIELDS = ['active', 'last_login', 'login_count', 'failed_login_count', 'created_on', 'changed_on'];
const USER_ORDER: Record<string, (user: UserRecord) => string | number> = {
  id: (u) => u.id,
  username: (u) => u.username,
  email: (u) => u.email ?? '',
  first_name: (u) => u.firstName ?? '',
  last_name: (u) => u.lastName ?? '',
  created_on: (u) => toIso(u.createdAt) ?? '',
  changed_on: (u) => toIso(u.changedOn) ?? '',
  last_login: (u) => toIso(u.lastLogin) ?? '',
};

/**
 * `roles: [{name}]` → the one role a dagctl user holds (names case-insensitive): with several
 * built-in roles, the highest (access is their union); a custom role must be the only one.
 */
async function rolesField(body: JsonObject, api: ApiContext): Promise<string | undefined> {
  const value = body.roles;
  if (value === undefined || value === null) return undefined;
  const isRole = (item: unknown) => !!item && typeof item === 'object' && typeof (item as JsonObject).name === 'string';
  if (!Array.isArray(value) || !value.every(isRole))
    throw badRequest('field \'roles\' must be a list of {"name": "<role>"} objects');
  const names = (value as Array<{ name: string }>).map((item) => item.name);
  const found = await Promise.all(names.map((name) => findRoleKey(api.app.dataSource, name)));
  const unknown = names.filter((_, i) => !found[i]);
  if (unknown.length)
    throw badRequest(
      `Unknown roles: ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
        'the roles are Admin, Op, Viewer and those GET /roles lists',
    );
  const roles = [...new Set(found as string[])];
  if (roles.length === 0) throw badRequest("field 'roles' must name at least one role");
  if (roles.length === 1) return roles[0];
  if (!roles.every(isBuiltInRole))
    throw badRequest("field 'roles': a dagctl user holds one role; a custom role must be the only one named");
  return [...BUILT_IN_ROLES].reverse().find((role) => roles.includes(role));
}

async function userPatchFrom(body: JsonObject, mask: string[] | undefined, api: ApiContext): Promise<UserPatch> {
  const wants = (field: string) => (mask ? mask.includes(field) : field in body);
  const patch: UserPatch = {};
  if (wants('username')) patch.username = requiredString(body, 'username');
  if (wants('password')) patch.password = requiredString(body, 'password');
  if (wants('email')) patch.email = optionalString(body, 'email', { nullable: true }) ?? null;
  if (wants('first_name')) patch.firstName = optionalString(body, 'first_name', { nullable: true }) ?? null;
  if (wants('last_name')) patch.lastName = optionalString(body, 'last_name', { nullable: true }) ?? null;
  if (wants('roles')) patch.role = await rolesField(body, api);
  return patch;
}

function userBody(req: Request): JsonObject {
  const body = jsonBody(req);
  rejectUnknownFields(body, [...USER_FIELDS, ...READ_ONLY_USER_FIELDS]);
  return body;
}

/** Airflow's Role: `{name, actions: [{action: {name}, resource: {name}}]}`. */
function roleJson(role: RoleRecord): Record<string, unknown> {
  return {
    name: role.name,
    actions: role.permissions.map((p) => ({ action: { name: p.action }, resource: { name: p.resource } })),
  };
}

const ROLE_FIELDS = ['name', 'actions'] as const;

/** `actions: [{action: {name}, resource: {name}}]` as permissions (checked by the service). */
function actionsField(body: JsonObject): Permission[] {
  const value = body.actions;
  const nameOf = (item: unknown, key: string): string | undefined => {
    const inner = item && typeof item === 'object' ? (item as JsonObject)[key] : undefined;
    const name = inner && typeof inner === 'object' ? (inner as JsonObject).name : undefined;
    return typeof name === 'string' ? name : undefined;
  };
  if (!Array.isArray(value))
    throw badRequest('field \'actions\' must be a list of {"action": {"name": …}, "resource": {"name": …}}');
  return value.map((item, i) => {
    const action = nameOf(item, 'action');
    const resource = nameOf(item, 'resource');
    if (action === undefined || resource === undefined)
      throw badRequest(
        `field 'actions[${i}]' must be {"action": {"name": "<action>"}, "resource": {"name": "<resource>"}}`,
      );
    return { action, resource };
  });
}

function paged<T>(items: T[], req: Request): T[] {
  const page = queryPage(req.query);
  return items.slice(page.offset, page.offset + page.limit);
}

function changed(api: ApiContext): void {
  api.forgetCredentials?.();
}

export const userRoleRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/users',
    access: 'admin',
    async handler(req, res, api) {
      const raw = queryString(req.query, 'order_by') || 'id';
      const field = raw.replace(/^-/, '');
      // Own keys only: `__proto__` or `constructor` would otherwise find Object's and crash the sort.
      const sortKey = Object.hasOwn(USER_ORDER, field) ? USER_ORDER[field] : undefined;
      if (!sortKey)
        throw badRequest(
          `order_by: ordering by '${raw}' is not allowed; use one of ${Object.keys(USER_ORDER).join(', ')}`,
        );
      const direction = raw.startsWith('-') ? -1 : 1;
      const users = await listUsers(api.app);
      users.sort((a, b) => {
        const [x, y] = [sortKey(a), sortKey(b)];
        return (x < y ? -1 : x > y ? 1 : a.id - b.id) * direction;
      });
      res.json({ users: paged(users, req).map(userJson), total_entries: users.length });
    },
  },
  {
    method: 'post',
    path: '/users',
    access: 'admin',
    async handler(req, res, api) {
      const body = userBody(req);
      const patch = await userPatchFrom(body, undefined, api);
      const user = await createUser(api.app, {
        username: requiredString(body, 'username'),
        password: requiredString(body, 'password'),
        // Airflow gives a user created without roles the registration role; dagctl's least is viewer.
        role: patch.role ?? 'viewer',
        firstName: patch.firstName,
        lastName: patch.lastName,
        email: patch.email,
      });
      res.json(userJson(user));
    },
  },
  {
    method: 'get',
    path: '/users/{username}',
    access: 'admin',
    async handler(req, res, api) {
      res.json(userJson(await getUser(api.app, param(req, 'username'))));
    },
  },
  {
    method: 'patch',
    path: '/users/{username}',
    access: 'admin',
    async handler(req, res, api) {
      const body = userBody(req);
      const mask = updateMask(req, [...USER_FIELDS]);
      const user = await updateUser(api.app, param(req, 'username'), await userPatchFrom(body, mask, api));
      changed(api);
      res.json(userJson(user));
    },
  },
  {
    method: 'delete',
    path: '/users/{username}',
    access: 'admin',
    async handler(req, res, api) {
      await deleteUser(api.app, param(req, 'username'));
      changed(api);
      res.status(204).end();
    },
  },
  {
    method: 'get',
    path: '/roles',
    access: 'admin',
    async handler(req, res, api) {
      const roles = (await listRoles(api.app)).map(roleJson);
      res.json({ roles: paged(roles, req), total_entries: roles.length });
    },
  },
  {
    method: 'post',
    path: '/roles',
    access: 'admin',
    async handler(req, res, api) {
      const body = jsonBody(req);
      rejectUnknownFields(body, ROLE_FIELDS);
      const name = requiredString(body, 'name');
      const role = await createRole(api.app, {
        name,
        permissions: body.actions === undefined ? [] : actionsField(body),
      });
      res.json(roleJson(role));
    },
  },
  {
    method: 'get',
    path: '/roles/{role_name}',
    access: 'admin',
    async handler(req, res, api) {
      res.json(roleJson(await getRole(api.app, param(req, 'role_name'))));
    },
  },
  {
    method: 'patch',
    path: '/roles/{role_name}',
    access: 'admin',
    async handler(req, res, api) {
      const body = jsonBody(req);
      rejectUnknownFields(body, ROLE_FIELDS);
      const mask = updateMask(req, [...ROLE_FIELDS]);
      const wants = (field: string) => (mask ? mask.includes(field) : field in body);
      const role = await updateRole(api.app, param(req, 'role_name'), {
        name: wants('name') ? requiredString(body, 'name') : undefined,
        permissions: wants('actions') ? actionsField(body) : undefined,
      });
      changed(api);
      res.json(roleJson(role));
    },
  },
  {
    method: 'delete',
    path: '/roles/{role_name}',
    access: 'admin',
    async handler(req, res, api) {
      await deleteRole(api.app, param(req, 'role_name'));
      changed(api);
      res.status(204).end();
    },
  },
  {
    method: 'get',
    path: '/permissions',
    access: 'admin',
    handler(req, res) {
      const actions = [...ACTIONS].sort().map((name) => ({ name }));
      res.json({ actions: paged(actions, req), total_entries: actions.length });
    },
  },
];
