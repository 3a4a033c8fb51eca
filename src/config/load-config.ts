import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, UserError } from '../core/errors';
import { CONFIG_DEFAULTS, DagctlConfig, SECRET_KEYS } from './defaults';

export interface LoadedConfig extends DagctlConfig {
  /** The resolved DAGCTL_HOME. */
  home: string;
  /** The config file that was read, if any. */
  configFile: string | null;
}

/** True when `dir` is a dagctl source checkout (its package.json is dagctl's). */
function isDagctlCheckout(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === 'dagctl';
  } catch {
    return false;
  }
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.DAGCTL_HOME) return path.resolve(env.DAGCTL_HOME);
  if (isDagctlCheckout(cwd)) return cwd;
  return path.join(os.homedir(), 'dagctl');
}

function coerce(raw: string, like: unknown, name: string): unknown {
  if (typeof like === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || Number.isNaN(n)) throw new UserError(`config ${name}: expected a number, got '${raw}'`);
    return n;
  }
  if (typeof like === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    throw new UserError(`config ${name}: expected true or false, got '${raw}'`);
  }
  return raw;
}

/**
 * Resolve the configuration: env (DAGCTL__SECTION__KEY) wins over the file
 * ($DAGCTL_HOME/dagctl.json, else config/dagctl.json in a checkout), which wins over defaults.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const home = resolveHome(env, cwd);
  const config = structuredClone(CONFIG_DEFAULTS) as unknown as Record<string, Record<string, unknown>>;

  const candidates = [path.join(home, 'dagctl.json'), path.join(home, 'config', 'dagctl.json')];
  const configFile = candidates.find((file) => fs.existsSync(file)) ?? null;
  if (configFile) {
    let fromFile: Record<string, Record<string, unknown>>;
    try {
      fromFile = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, Record<string, unknown>>;
    } catch (err) {
      throw new UserError(`config file ${configFile} is not valid JSON: ${errorMessage(err)}`);
    }
    for (const [section, values] of Object.entries(fromFile ?? {})) {
      if (!(section in config)) throw new UserError(`config file ${configFile}: unknown section '${section}'`);
      for (const [key, value] of Object.entries(values ?? {})) {
        if (!(key in config[section]))
          throw new UserError(`config file ${configFile}: unknown key '${section}.${key}'`);
        config[section][key] = value;
      }
    }
  }

  for (const [name, raw] of Object.entries(env)) {
    const match = /^DAGCTL__([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(name);
    if (!match || raw === undefined) continue;
    const section = match[1].toLowerCase();
    const key = match[2].toLowerCase();
    if (!(section in config) || !(key in config[section])) {
      throw new UserError(`environment variable ${name}: unknown config key '${section}.${key}'`);
    }
    config[section][key] = coerce(
      raw,
      (CONFIG_DEFAULTS as Record<string, Record<string, unknown>>)[section][key],
      `${section}.${key}`,
    );
  }

  const resolved = config as unknown as DagctlConfig;
  if (!resolved.core.dags_folder) resolved.core.dags_folder = path.join(home, 'dags');
  resolved.core.dags_folder = path.resolve(home, resolved.core.dags_folder);
  if (!resolved.logging.base_log_folder) resolved.logging.base_log_folder = path.join(home, 'logs');
  resolved.logging.base_log_folder = path.resolve(home, resolved.logging.base_log_folder);
  if (!resolved.database.url) resolved.database.url = `sqlite:///${path.join(home, 'dagctl.db')}`;
  if (!['sequential', 'local', 'bullmq'].includes(resolved.core.executor)) {
    throw new UserError(`config core.executor: expected sequential, local or bullmq, got '${resolved.core.executor}'`);
  }
  return { ...resolved, home, configFile };
}

/** Flatten to `section.key → value` with secrets masked, for `dagctl config list`. */
export function describeConfig(config: DagctlConfig): Array<{ section: string; key: string; value: unknown }> {
  const rows: Array<{ section: string; key: string; value: unknown }> = [];
  for (const section of Object.keys(CONFIG_DEFAULTS) as Array<keyof DagctlConfig>) {
    for (const [key, value] of Object.entries(config[section])) {
      rows.push({ section, key, value: SECRET_KEYS.includes(`${section}.${key}`) ? maskSecret(String(value)) : value });
    }
  }
  return rows;
}

function maskSecret(value: string): string {
  if (!value) return value;
  // Keep the scheme and host of URLs visible; hide credentials.
  const url = /^([a-z0-9+]+:\/\/)([^@/]*@)?(.*)$/i.exec(value);
  if (url) return `${url[1]}${url[2] ? '***@' : ''}${url[3]}`;
  return '***';
}
