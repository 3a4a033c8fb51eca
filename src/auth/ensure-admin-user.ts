import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/app-context';
import { UserEntity } from '../db/entities/user.entity';
import { createUser } from '../services/users';

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD_FILE = 'standalone_admin_password.txt';

/** The default database: the SQLite file `$DAGCTL_HOME/dagctl.db`. */
function isDefaultDatabase(config: AppContext['config']): boolean {
  return config.database.url === `sqlite:///${path.join(config.home, 'dagctl.db')}`;
}

/**
 * Where the generated admin password of this database is kept: `standalone_admin_password.txt` for
 * the default database, else `standalone_admin_password.<db name>-<hash of the URL>.txt`, so that
 * `initdb` against a second database (same DAGCTL_HOME) never overwrites the first one's file.
 */
export function adminPasswordFile(config: AppContext['config']): string {
  if (isDefaultDatabase(config)) return path.join(config.home, ADMIN_PASSWORD_FILE);
  let name = 'db';
  let identity = config.database.url;
  try {
    const url = new URL(config.database.url);
    url.password = ''; // the same database whatever password reaches it
    identity = url.toString();
    name = path.basename(decodeURIComponent(url.pathname)).replace(/\.[^.]*$/, '') || name;
  } catch {
    // Not a URL: the hash of the text alone tells databases apart.
  }
  const slug = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  const hash = crypto.createHash('sha256').update(identity).digest('hex').slice(0, 8);
  return path.join(config.home, `standalone_admin_password.${slug}-${hash}.txt`);
}
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
 * random one is written to `adminPasswordFile(config)` (this database's file) readable only by the owner
 * and returned so the CLI can print it once — what `airflow standalone` does. Idempotent: later
 * calls create nothing and change no password.
 */
export async function ensureAdminUser(
  ctx: AppContext,
  options: { password?: string } = {},
): Promise<EnsureAdminUserResult> {
  const file = adminPasswordFile(ctx.config);
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
