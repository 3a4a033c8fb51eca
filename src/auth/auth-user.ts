import { BUILT_IN_ROLES, hasPermission, type Permission, type PermissionSet } from '../core/permissions';
import type { UserRole } from '../db/entities/user.entity';

export type { UserRole };

/** How the current request proved who it is. Only 'session' requests need a CSRF token. */
export type AuthMethod = 'session' | 'basic' | 'token';

/** What the auth layer puts on `req.user`. */
export interface AuthUser {
  id: number;
  username: string;
  /** A built-in role (admin, op, viewer) or a custom role's name. */
  role: UserRole;
  authMethod: AuthMethod;
  /** What the role allows, read for this request: a role change counts at once. */
  permissions: PermissionSet;
}

/** The built-in roles, lowest first. */
export const USER_ROLES: readonly UserRole[] = BUILT_IN_ROLES;

/** Whether the user's role grants `permission`. */
export function userCan(user: { permissions: PermissionSet } | null | undefined, permission: Permission): boolean {
  return !!user && hasPermission(user.permissions, permission);
}
