import fs from 'node:fs';
import path from 'node:path';

/** The one command that installs what the private test services need (Debian/Ubuntu). */
export const INSTALL_COMMAND = 'apt-get install -y postgresql redis-server';

export interface ServiceBinaries {
  /** The folder holding initdb and pg_ctl (/usr/lib/postgresql/<version>/bin). */
  postgresBin: string;
  redisServer: string;
}

/** The newest installed PostgreSQL's bin folder with initdb and pg_ctl, or null. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | null {
  let versions: string[];
  try {
    versions = fs.readdirSync(root);
  } catch {
    return null;
  }
  const bins = versions
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((version) => path.join(root, version, 'bin'))
    .filter((bin) => ['initdb', 'pg_ctl', 'postgres'].every((name) => isExecutable(path.join(bin, name))));
  return bins[0] ?? null;
}

/** redis-server on PATH (or in /usr/bin, /usr/local/bin), or null. */
export function findRedisServer(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin'].filter(Boolean);
  return dirs.map((dir) => path.join(dir, 'redis-server')).find(isExecutable) ?? null;
}

/**
 * The binaries the private services named in `needed` run from, or an error naming what is
 * missing and the one command that installs it (checked before anything is started).
 */
export function requireServiceBinaries(
  needed: { postgres: boolean; redis: boolean },
  find = { postgresBin: findPostgresBin, redisServer: findRedisServer },
): Partial<ServiceBinaries> {
  const postgresBin = needed.postgres ? find.postgresBin() : null;
  const redisServer = needed.redis ? find.redisServer() : null;
  const missing = [
    needed.postgres && !postgresBin ? 'PostgreSQL (initdb, pg_ctl under /usr/lib/postgresql/*/bin)' : null,
    needed.redis && !redisServer ? 'redis-server' : null,
  ].filter((m): m is string => m !== null);
  if (missing.length)
    throw new Error(
      `the tests need PostgreSQL and Redis: no shared server answered, and ${missing.join(' and ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} not installed to start a private one. Install with: ${INSTALL_COMMAND}`,
    );
  return { postgresBin: postgresBin ?? undefined, redisServer: redisServer ?? undefined };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
