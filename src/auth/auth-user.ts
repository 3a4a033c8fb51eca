import type { UserRole } from '../db/entities/user.entity';

export type { UserRole };

/** How the current request proved who it is. Only 'session' requests need a CSRF token. */
export type AuthMethod = 'session' | 'basic' | 'token';

/** What the auth layer puts on `req.user`. */
export interface AuthUser {
  id: number;
  username: string;
  role: UserRole;
  authMethod: AuthMethod;
}

export const USER_ROLES: readonly UserRole[] = ['viewer', 'op', 'admin'];

/** admin > op > viewer: each role can do everything the roles below it can. */
const ROLE_RANK: Record<UserRole, number> = { viewer: 0, op: 1, admin: 2 };

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: UserRole, required: UserRole): boolean {
  return (ROLE_RANK[role] ?? -1) >= ROLE_RANK[required];
}
