import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../../app/app-context';

export type UiRole = 'admin' | 'op' | 'viewer';

/** What the auth layer (src/auth) puts on `req.user`. */
export interface UiUser {
  id: number;
  username: string;
  role: UiRole;
}

/** What the web app hands to `mountUi`: the context plus the auth layer's guards. */
export interface UiDeps {
  ctx: AppContext;
  /** Redirects anonymous requests to /login. */
  requireLogin: RequestHandler;
  /** Refuses (403) users below `role` (admin > op > viewer). */
  requireRole(role: UiRole): RequestHandler;
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

const ROLE_RANK: Record<UiRole, number> = { viewer: 0, op: 1, admin: 2 };

export function currentUser(req: Request): UiUser | null {
  return (req as Request & { user?: UiUser }).user ?? null;
}

export function hasRole(user: UiUser | null, role: UiRole): boolean {
  return user !== null && (ROLE_RANK[user.role] ?? -1) >= ROLE_RANK[role];
}
