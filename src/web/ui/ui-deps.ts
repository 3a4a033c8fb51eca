import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../../app/app-context';
import {
  builtInPermissionSet,
  hasPermission,
  isBuiltInRole,
  type BuiltInRole,
  type Permission,
  type PermissionSet,
} from '../../core/permissions';

/** A built-in role; a user may also hold a custom role (any other name). */
export type UiRole = BuiltInRole;

/** What the auth layer (src/auth) puts on `req.user`. */
export interface UiUser {
  id: number;
  username: string;
  role: string;
  /** What the user's role allows; absent: a built-in role's grants (an embedder's own auth). */
  permissions?: PermissionSet;
}

/** What the web app hands to `mountUi`: the context plus the auth layer's guards. */
export interface UiDeps {
  ctx: AppContext;
  /** Redirects anonymous requests to /login. */
  requireLogin: RequestHandler;
  /** The CSRF token forms must post back in the `_csrf` field. */
  csrfToken(req: Request): string;
  /**
   * Whether the request carries a valid CSRF token. Defaults to comparing `req.body._csrf` with
   * `csrfToken(req)`; the auth layer may supply its own check.
   */
  verifyCsrf?(req: Request): boolean;
  /** Drops cached credentials and sessions after a user is changed or deleted. */
  forgetCredentials?(): void;
}

export function currentUser(req: Request): UiUser | null {
  return (req as Request & { user?: UiUser }).user ?? null;
}

const NO_PERMISSIONS: PermissionSet = new Set();

function permissionsOf(user: UiUser): PermissionSet {
  return user.permissions ?? (isBuiltInRole(user.role) ? builtInPermissionSet(user.role) : NO_PERMISSIONS);
}

/** The 403 page's text: who, their role, and the permission(s) they lack (the API says the same). */
export function forbiddenMessage(user: UiUser | null, missing: readonly Permission[]): string {
  const names = missing.map((p) => `'${p.action} on ${p.resource}'`).join(' and ');
  const who = user ? `User '${user.username}' (role ${user.role})` : 'Nobody logged in';
  return `${who} may not do this: permission ${names} is required.`;
}

/** Whether the user may do `permission`: every page guard and every button asks this. */
export function userCan(user: UiUser | null, permission: Permission): boolean {
  return user !== null && hasPermission(permissionsOf(user), permission);
}
