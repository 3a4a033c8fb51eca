import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load-config';

export const SECRET_KEY_FILE = 'webserver_secret_key';

/**
 * The key that signs session cookies and CSRF tokens: `webserver.secret_key` when set, else one
 * generated once and kept in `$DAGCTL_HOME/webserver_secret_key` (mode 0600), so a restart keeps
 * everyone logged in.
 */
export function resolveSecretKey(config: Pick<LoadedConfig, 'home' | 'webserver'>): string {
  if (config.webserver.secret_key) return config.webserver.secret_key;
  const file = path.join(config.home, SECRET_KEY_FILE);
  const existing = readKey(file);
  if (existing) return existing;
  fs.mkdirSync(config.home, { recursive: true });
  const key = crypto.randomBytes(32).toString('hex');
  try {
    // 'wx': if another process created it first, use theirs instead.
    fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = readKey(file);
    if (!raced) throw new Error(`secret key file ${file} is empty`, { cause: err });
    return raced;
  }
}

function readKey(file: string): string | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return text || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
