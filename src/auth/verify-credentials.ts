import type { DataSource } from 'typeorm';
import { UserEntity } from '../db/entities/user.entity';
import { permissionsOfRole } from '../services/roles';
import type { UserRole } from './auth-user';
import { checkPassword } from './password-hash';

export interface VerifiedUser {
  id: number;
  username: string;
  role: UserRole;
}

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
  const user = username ? await ds.getRepository(UserEntity).findOneBy({ username }) : null;
  const ok = await checkPassword(password, user?.passwordHash ?? null);
  if (!ok || !user || !(await knownRole(ds, user.role))) return null;
  return { id: user.id, username: user.username, role: user.role };
}

/** A user who may log in, with the stored password hash to check against (the role is checked per request). */
export async function findLoginUser(
  ds: DataSource,
  username: string,
): Promise<{ verified: VerifiedUser; passwordHash: string } | null> {
  const user = await ds.getRepository(UserEntity).findOneBy({ username });
  if (!user || !user.passwordHash) return null;
  return { verified: { id: user.id, username: user.username, role: user.role }, passwordHash: user.passwordHash };
}

export async function findUserById(ds: DataSource, id: number): Promise<VerifiedUser | null> {
  const user = await ds.getRepository(UserEntity).findOneBy({ id });
  if (!user) return null;
  return { id: user.id, username: user.username, role: user.role };
}
