import bcrypt from 'bcryptjs';
import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { UserEntity, UserRole } from '../db/entities';
import { AlreadyExistsError } from './already-exists-error';
import type { ServiceContext } from './service-context';

export const USER_ROLES: readonly UserRole[] = ['admin', 'op', 'viewer'];
const BCRYPT_ROUNDS = 10;
/** Compared against when the user does not exist, so timing does not reveal usernames. */
let dummyHash: string | null = null;

export interface UserRecord {
  id: number;
  username: string;
  role: UserRole;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  createdAt: Date | null;
  lastLogin: Date | null;
}

function toRecord(row: UserEntity): UserRecord {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    firstName: row.firstName ?? null,
    lastName: row.lastName ?? null,
    email: row.email ?? null,
    createdAt: row.createdAt,
    lastLogin: row.lastLogin,
  };
}

/**
 * Airflow's role names, case-insensitive, onto ours: Admin/Op/Viewer are the same roles; Airflow's
 * User (may trigger and clear, not manage connections/pools) has no exact match, and gets Viewer
 * rather than more rights than asked for. Public has no rights at all: refused.
 */
const AIRFLOW_ROLE_ALIASES: Readonly<Record<string, UserRole>> = { user: 'viewer' };

/** A role as typed by a user (`Admin`, `op`, `VIEWER`, Airflow's `User`) as one of ours. */
export function normalizeUserRole(role: string): UserRole {
  const lower = role.trim().toLowerCase();
  const mapped = AIRFLOW_ROLE_ALIASES[lower] ?? lower;
  assertUserRole(mapped);
  return mapped;
}

export function assertUserRole(role: string): asserts role is UserRole {
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new InvalidArgumentError(
      `invalid role '${role}': expected ${USER_ROLES.join(', ')} (or Airflow's Admin, Op, User, Viewer)`,
    );
  }
}

export async function createUser(
  ctx: ServiceContext,
  input: { username: string; password: string; role: string; firstName?: string; lastName?: string; email?: string },
): Promise<UserRecord> {
  if (!input.username || input.username.length > 256 || /\s/.test(input.username)) {
    throw new InvalidArgumentError(`invalid username '${input.username}': expected 1 to 256 characters without spaces`);
  }
  if (!input.password) throw new InvalidArgumentError('password must not be empty');
  const role = normalizeUserRole(input.role);
  if (input.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(input.email))
    throw new InvalidArgumentError(`invalid email '${input.email}': expected name@host`);
  const repo = ctx.dataSource.getRepository(UserEntity);
  if (await repo.existsBy({ username: input.username }))
    throw new AlreadyExistsError(`user '${input.username}' already exists`);
  const passwordHash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
  await repo.insert({
    username: input.username,
    passwordHash,
    role,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    email: input.email ?? null,
    createdAt: ctx.clock.now(),
    lastLogin: null,
  });
  return getUser(ctx, input.username);
}

export async function getUser(ctx: ServiceContext, username: string): Promise<UserRecord> {
  const row = await ctx.dataSource.getRepository(UserEntity).findOneBy({ username });
  if (!row) throw new NotFoundError(`user '${username}' not found`);
  return toRecord(row);
}

/**
 * The user when the password matches (and records the login time), else null.
 */
export async function verifyPassword(
  ctx: ServiceContext,
  username: string,
  password: string,
): Promise<UserRecord | null> {
  const repo = ctx.dataSource.getRepository(UserEntity);
  const row = await repo.findOneBy({ username });
  dummyHash ??= await bcrypt.hash('dagctl-no-such-user', BCRYPT_ROUNDS);
  const ok = await bcrypt.compare(password, row?.passwordHash ?? dummyHash).catch(() => false);
  if (!row || !ok) return null;
  const now = ctx.clock.now();
  await repo.update({ id: row.id }, { lastLogin: now });
  return { ...toRecord(row), lastLogin: now };
}

export async function listUsers(ctx: ServiceContext): Promise<UserRecord[]> {
  const rows = await ctx.dataSource.getRepository(UserEntity).find({ order: { username: 'ASC' } });
  return rows.map(toRecord);
}

export async function countUsers(ctx: ServiceContext): Promise<number> {
  return ctx.dataSource.getRepository(UserEntity).count();
}

export async function deleteUser(ctx: ServiceContext, username: string): Promise<void> {
  const result = await ctx.dataSource.getRepository(UserEntity).delete({ username });
  if (!result.affected) throw new NotFoundError(`user '${username}' not found`);
}
