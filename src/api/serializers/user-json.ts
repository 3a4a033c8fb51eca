import { BUILT_IN_ROLE_DISPLAY, isBuiltInRole } from '../../core/permissions';
import type { UserRecord } from '../../services/users';
import { toIso } from '../../db/column-types';

/** A user's role as Airflow names it: `Admin` for a built-in role, a custom role as created. */
export function roleDisplayName(role: string): string {
  return isBuiltInRole(role) ? BUILT_IN_ROLE_DISPLAY[role] : role;
}

/** Airflow's UserCollectionItem. The password (hash) is never part of it. */
export function userJson(user: UserRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    first_name: user.firstName ?? '',
    last_name: user.lastName ?? '',
    username: user.username,
    active: true,
    last_login: toIso(user.lastLogin),
    login_count: null,
    failed_login_count: null,
    roles: [{ name: roleDisplayName(user.role) }],
    created_on: toIso(user.createdAt),
    changed_on: toIso(user.changedOn ?? user.createdAt),
  };
  // The document requires a non-empty email; users created without one omit the field.
  if (user.email) json.email = user.email;
  return json;
}
