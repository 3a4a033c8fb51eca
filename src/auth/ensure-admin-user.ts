import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/app-context';
import { UserEntity } from '../db/entities/user.entity';
import { createUser } from '../services/users';

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD_FILE = 'standalone_admin_password.txt';
/** The environment variable whose value, when set, is the first admin's password (read by the CLI). */
export const ADMIN_PASSWORD_ENV = 'DAGCTL_ADMIN_PASSWORD';

export interface EnsureAdminUserResult {
  created: boolean;
  /** The generated password: only when `created` without a given one, to be shown once. */
  password?: string;
  /** True when `admin` was created with the password the caller gave: nothing to show or keep. */
  passwordGiven?: boolean;
  /** Where the password was written (mode 0600); also reported when it already exists. */
  file?: string;
}

/**
 * On a fresh install (no users at all) create `admin`. With `options.password` (the CLI passes
 * $DAGCTL_ADMIN_PASSWORD; empty means unset) that is its password and nothing is written. Else a
 * random one is written to `$DAGCTL_HOME/standalone_admin_password.txt` readable only by the owner
 * and returned so the CLI can print it once — what `airflow standalone` does. Idempotent: later
 * calls create nothing and change no password.
 */
export async function ensureAdminUser(
  ctx: AppContext,
  options: { password?: string } = {},
): Promise<EnsureAdminUserResult> {
  const file = path.join(ctx.config.home, ADMIN_PASSWORD_FILE);
  const repo = ctx.dataSource.getRepository(UserEntity);
  if ((await repo.count()) > 0) return { created: false, ...(fs.existsSync(file) ? { file } : {}) };

  const given = options.password || undefined;
  const password = given ?? crypto.randomBytes(12).toString('base64url');
  try {
    await createUser(ctx, { username: ADMIN_USERNAME, password, role: 'admin' });
  } catch (err) {
    // Another process created it in the meantime (unique username): theirs wins.
    if (await repo.findOneBy({ username: ADMIN_USERNAME }))
      return { created: false, ...(fs.existsSync(file) ? { file } : {}) };
    throw err;
  }
  if (given) return { created: true, passwordGiven: true };
  fs.mkdirSync(ctx.config.home, { recursive: true });
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600); // writeFileSync keeps the mode of an existing file
  return { created: true, password, file };
}
