import bcrypt from 'bcryptjs';
import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { BUILT_IN_ROLES, type BuiltInRole } from '../core/permissions';
import { UserEntity, UserRole } from '../db/entities';
import { AlreadyExistsError } from './already-exists-error';
import { auditChange } from './audit-log';
import { assertFitsColumns } from './column-limits';
import { findRoleKey } from './roles';
import type { ServiceContext } from './service-context';

/** The built-in roles, highest first. Custom roles: services/roles. */
export const USER_ROLES: readonly BuiltInRole[] = [...BUILT_IN_ROLES].reverse();
const BCRYPT_ROUNDS = 10;
/** Compared against when the user does not exist, so timing does not reveal usernames. */
let dummyHash: string | null = null;

export interface UserRecord {
  id: number;
  username: string;
  role: UserRole;
  createdAt: Date | null;
  lastLogin: Date | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  changedOn: Date | null;
}

/** The profile fields Airflow's users carry besides name, password and role. */
export interface UserProfile {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

function toRecord(row: UserEntity): UserRecord {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    createdAt: row.createdAt,
    lastLogin: row.lastLogin,
    firstName: row.firstName ?? null,
    lastName: row.lastName ?? null,
    email: row.email ?? null,
    changedOn: row.changedOn ?? null,
  };
}

/**
 * Airflow's role names, case-insensitive, onto ours: Admin/Op/Viewer are the same roles; Airflow's
 * User (may trigger and clear, not manage connections/pools) has no exact match, and gets Viewer
 * rather than more rights than asked for. Public has no rights at all: refused.
 */
const AIRFLOW_ROLE_ALIASES: Readonly<Record<string, BuiltInRole>> = { user: 'viewer' };

/**
 * A role as typed by a user (`Admin`, `op`, `VIEWER`, a custom role in any case, Airflow's `User`)
 * as a user's `role` column stores it. A custom role named like an alias wins over the alias.
 */
export async function normalizeUserRole(ctx: ServiceContext, role: string): Promise<UserRole> {
  const found = await findRoleKey(ctx.dataSource, role);
  if (found) return found;
  const alias = AIRFLOW_ROLE_ALIASES[role.trim().toLowerCase()];
  if (alias) return alias;
  throw new InvalidArgumentError(
    `invalid role '${role.slice(0, 100)}': expected ${USER_ROLES.join(', ')} (or Airflow's Admin, Op, User, Viewer) ` +
      'or a custom role (dagctl roles list)',
  );
}

function assertEmail(email: string | null | undefined): void {
  if (email !== undefined && email !== null && !/^[^\s@]+@[^\s@]+$/.test(email))
    throw new InvalidArgumentError(`invalid email '${email}': expected name@host`);
}

function assertPassword(password: string): void {
  if (!password) throw new InvalidArgumentError('password must not be empty');
}

function assertUsername(username: string): void {
  if (!username || username.length > 256 || /\s/.test(username)) {
    throw new InvalidArgumentError(`invalid username '${username}': expected 1 to 256 characters without spaces`);
  }
}

export async function createUser(
  ctx: ServiceContext,
  input: { username: string; password: string; role: string } & UserProfile,
): Promise<UserRecord> {
  assertUsername(input.username);
  assertPassword(input.password);
  const role = await normalizeUserRole(ctx, input.role);
  assertEmail(input.email);
  assertFitsColumns(ctx.dataSource, UserEntity, input);
  const repo = ctx.dataSource.getRepository(UserEntity);
  if (await repo.existsBy({ username: input.username }))
    throw new AlreadyExistsError(`user '${input.username}' already exists`);
  const passwordHash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
  await repo.insert({
    username: input.username,
    passwordHash,
    role,
    createdAt: ctx.clock.now(),
    lastLogin: null,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    email: input.email ?? null,
    changedOn: ctx.clock.now(),
  });
  await auditChange(ctx, { event: 'user_create', extra: { username: input.username, role } });
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
  await auditChange(ctx, { event: 'user_delete', extra: { username } });
}

export interface UserPatch extends UserProfile {
  username?: string;
  password?: string;
  role?: string;
}

/**
 * Change some fields of a user (the REST API's PATCH); a new password is hashed, a new name must
 * be free. Callers that cache credentials must forget them afterwards.
 */
export async function updateUser(ctx: ServiceContext, username: string, patch: UserPatch): Promise<UserRecord> {
  const repo = ctx.dataSource.getRepository(UserEntity);
  const row = await repo.findOneBy({ username });
  if (!row) throw new NotFoundError(`user '${username}' not found`);
  const fields: Partial<UserEntity> = {};
  if (patch.username !== undefined && patch.username !== username) {
    assertUsername(patch.username);
    if (await repo.existsBy({ username: patch.username }))
      throw new AlreadyExistsError(`user '${patch.username}' already exists`);
    fields.username = patch.username;
  }
  if (patch.password !== undefined) {
    assertPassword(patch.password);
    fields.passwordHash = await bcrypt.hash(patch.password, BCRYPT_ROUNDS);
  }
  if (patch.role !== undefined) fields.role = await normalizeUserRole(ctx, patch.role);
  if (patch.firstName !== undefined) fields.firstName = patch.firstName;
  if (patch.lastName !== undefined) fields.lastName = patch.lastName;
  if (patch.email !== undefined) {
    assertEmail(patch.email);
    fields.email = patch.email;
  }
  assertFitsColumns(ctx.dataSource, UserEntity, fields);
  fields.changedOn = ctx.clock.now();
  await repo.update({ id: row.id }, fields);
  // Field names only: never the password.
  const changed = Object.keys(patch).filter((key) => patch[key as keyof UserPatch] !== undefined);
  await auditChange(ctx, { event: 'user_edit', extra: { username, fields: changed } });
  return getUser(ctx, fields.username ?? username);
}
