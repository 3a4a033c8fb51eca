import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { permissionsOfRole } from '../services/roles';
import type { UserRole } from './auth-user';
import { checkPassword } from './password-hash';

export interface VerifiedUser {
  id: number;
  username: string;
  role: UserRole;
}

interface UserRow {
  id: number | string;
  username: string;
  role: UserRole;
  password_hash: string | null;
}

/**
 * One user row by a unique column. Raw SQL, not the entity repository: Basic auth reads it on
 * every request (so a deleted user or changed role counts at once), and building a TypeORM query
 * cost more CPU than the rest of a cached API answer.
 */
async function readUserRow(ds: DataSource, column: 'id' | 'username', value: number | string): Promise<UserRow | null> {
  const { records } = await execSql<UserRow>(
    ds,
    `SELECT id, username, role, password_hash FROM dagctl_user WHERE ${column} = ?`,
    [value],
  );
  return records[0] ?? null;
}

const verifiedOf = (user: UserRow): VerifiedUser => ({ id: Number(user.id), username: user.username, role: user.role });

/** Whether `role` exists (built in or custom): a user holding no known role may not log in. */
async function knownRole(ds: DataSource, role: string): Promise<boolean> {
  return (await permissionsOfRole(ds, role)) !== null;
}

/** The user whose username and password these are, or null (unknown user or wrong password). */
export async function verifyCredentials(
  ds: DataSource,
  username: string,
  password: string,
): Promise<VerifiedUser | null> {
  const user = username ? await readUserRow(ds, 'username', username) : null;
  const ok = await checkPassword(password, user?.password_hash ?? null);
  if (!ok || !user || !(await knownRole(ds, user.role))) return null;
  return verifiedOf(user);
}

/** A user who may log in, with the stored password hash to check against (the role is checked per request). */
export async function findLoginUser(
  ds: DataSource,
  username: string,
): Promise<{ verified: VerifiedUser; passwordHash: string } | null> {
  const user = await readUserRow(ds, 'username', username);
  if (!user || !user.password_hash) return null;
  return { verified: verifiedOf(user), passwordHash: user.password_hash };
}

export async function findUserById(ds: DataSource, id: number): Promise<VerifiedUser | null> {
  const user = await readUserRow(ds, 'id', id);
  return user ? verifiedOf(user) : null;
}
