import type { DataSource } from 'typeorm';
import { UserEntity } from '../db/entities/user.entity';
import { isUserRole, type UserRole } from './auth-user';
import { checkPassword } from './password-hash';

export interface VerifiedUser {
  id: number;
  username: string;
  role: UserRole;
}

/** The user whose username and password these are, or null (unknown user or wrong password). */
export async function verifyCredentials(
  ds: DataSource,
  username: string,
  password: string,
): Promise<VerifiedUser | null> {
  const user = username ? await ds.getRepository(UserEntity).findOneBy({ username }) : null;
  const ok = await checkPassword(password, user?.passwordHash ?? null);
  if (!ok || !user || !isUserRole(user.role)) return null;
  return { id: user.id, username: user.username, role: user.role };
}

/** A user who may log in (a known role), with the stored password hash to check against. */
export async function findLoginUser(
  ds: DataSource,
  username: string,
): Promise<{ verified: VerifiedUser; passwordHash: string } | null> {
  const user = await ds.getRepository(UserEntity).findOneBy({ username });
  if (!user || !isUserRole(user.role) || !user.passwordHash) return null;
  return { verified: { id: user.id, username: user.username, role: user.role }, passwordHash: user.passwordHash };
}

export async function findUserById(ds: DataSource, id: number): Promise<VerifiedUser | null> {
  const user = await ds.getRepository(UserEntity).findOneBy({ id });
  if (!user || !isUserRole(user.role)) return null;
  return { id: user.id, username: user.username, role: user.role };
}
