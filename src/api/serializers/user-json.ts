import type { UserRole } from '../../auth/auth-user';
import type { UserRecord } from '../../services/users';
import { toIso } from '../../db/column-types';

/** dagctl's role names as Airflow spells its built-in roles. */
export const ROLE_DISPLAY_NAMES: Record<UserRole, string> = { admin: 'Admin', op: 'Op', viewer: 'Viewer' };

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
    roles: [{ name: ROLE_DISPLAY_NAMES[user.role] }],
    created_on: toIso(user.createdAt),
    changed_on: toIso(user.changedOn ?? user.createdAt),
  };
  // The document requires a non-empty email; users created without one omit the field.
  if (user.email) json.email = user.email;
  return json;
}
