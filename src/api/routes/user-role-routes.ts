import type { Request } from 'express';
import { USER_ROLES, roleAtLeast, type UserRole } from '../../auth/auth-user';
import { badRequest, conflict, notFound } from '../../http/problem';
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
import { allActions, rolePermissions } from '../access/role-permissions';
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
import { ROLE_DISPLAY_NAMES, userJson } from '../serializers/user-json';

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

/** A role name as Airflow spells it (`Admin`) or as dagctl does (`admin`). */
function roleByName(name: string): UserRole | undefined {
  const lower = name.trim().toLowerCase();
  return USER_ROLES.find((role) => role === lower);
}

/** `roles: [{name}]` → the one dagctl role: with several, the highest (access is their union). */
function rolesField(body: JsonObject): UserRole | undefined {
  const value = body.roles;
  if (value === undefined || value === null) return undefined;
  const isRole = (item: unknown) => !!item && typeof item === 'object' && typeof (item as JsonObject).name === 'string';
  if (!Array.isArray(value) || !value.every(isRole))
    throw badRequest('field \'roles\' must be a list of {"name": "<role>"} objects');
  const names = (value as Array<{ name: string }>).map((item) => item.name);
  const unknown = names.filter((name) => !roleByName(name));
  if (unknown.length)
    throw badRequest(
      `Unknown roles: ${unknown.map((n) => `'${n}'`).join(', ')}; dagctl's roles are Admin, Op and Viewer`,
    );
  const roles = names.map((name) => roleByName(name) as UserRole);
  if (roles.length === 0) throw badRequest("field 'roles' must name at least one role");
  return roles.reduce((best, role) => (roleAtLeast(role, best) ? role : best));
}

function userPatchFrom(body: JsonObject, mask: string[] | undefined): UserPatch {
  const wants = (field: string) => (mask ? mask.includes(field) : field in body);
  const patch: UserPatch = {};
  if (wants('username')) patch.username = requiredString(body, 'username');
  if (wants('password')) patch.password = requiredString(body, 'password');
  if (wants('email')) patch.email = optionalString(body, 'email', { nullable: true }) ?? null;
  if (wants('first_name')) patch.firstName = optionalString(body, 'first_name', { nullable: true }) ?? null;
  if (wants('last_name')) patch.lastName = optionalString(body, 'last_name', { nullable: true }) ?? null;
  if (wants('roles')) patch.role = rolesField(body);
  return patch;
}

function userBody(req: Request): JsonObject {
  const body = jsonBody(req);
  rejectUnknownFields(body, [...USER_FIELDS, ...READ_ONLY_USER_FIELDS]);
  return body;
}

function roleJson(role: UserRole): Record<string, unknown> {
  return {
    name: ROLE_DISPLAY_NAMES[role],
    actions: rolePermissions(role).map((p) => ({ action: { name: p.action }, resource: { name: p.resource } })),
  };
}

function requireRoleName(name: string): UserRole {
  const role = roleByName(name);
  if (!role) throw notFound(`Role with name '${name}' was not found`);
  return role;
}

/** dagctl's three roles are built in: they cannot be added, changed or removed. */
function fixedRoles(what: string): never {
  throw badRequest(`${what}: dagctl's roles are built in (Admin, Op, Viewer) and cannot be changed`);
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
      const sortKey = USER_ORDER[raw.replace(/^-/, '')];
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
      const patch = userPatchFrom(body, undefined);
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
      const user = await updateUser(api.app, param(req, 'username'), userPatchFrom(body, mask));
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
    handler(req, res) {
      const roles = [...USER_ROLES].reverse().map(roleJson);
      res.json({ roles: paged(roles, req), total_entries: roles.length });
    },
  },
  {
    method: 'post',
    path: '/roles',
    access: 'admin',
    handler(req) {
      const name = requiredString(jsonBody(req), 'name');
      if (roleByName(name)) throw conflict(`Role with name '${name}' already exists; please update it instead`);
      fixedRoles(`cannot create role '${name}'`);
    },
  },
  {
    method: 'get',
    path: '/roles/{role_name}',
    access: 'admin',
    handler(req, res) {
      res.json(roleJson(requireRoleName(param(req, 'role_name'))));
    },
  },
  {
    method: 'patch',
    path: '/roles/{role_name}',
    access: 'admin',
    handler(req) {
      const role = requireRoleName(param(req, 'role_name'));
      fixedRoles(`cannot change role '${ROLE_DISPLAY_NAMES[role]}'`);
    },
  },
  {
    method: 'delete',
    path: '/roles/{role_name}',
    access: 'admin',
    handler(req) {
      const role = requireRoleName(param(req, 'role_name'));
      fixedRoles(`cannot delete role '${ROLE_DISPLAY_NAMES[role]}'`);
    },
  },
  {
    method: 'get',
    path: '/permissions',
    access: 'admin',
    handler(req, res) {
      const actions = allActions().map((name) => ({ name }));
      res.json({ actions: paged(actions, req), total_entries: actions.length });
    },
  },
];
