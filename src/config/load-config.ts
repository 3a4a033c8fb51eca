import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, UserError } from '../core/errors';
import { CONFIG_SCHEMA, configKeys, DagctlConfig, keySpec } from './config-schema';
import { parseConfigValue } from './parse-config-value';

/**
 * The configuration compiled once at start-up: every key checked and typed, durations in ms.
 * Passed to whoever needs a setting; nothing parses config values again.
 */
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

/** One value given for a key, and where it came from (for error messages). */
interface GivenValue {
  section: string;
  key: string;
  raw: unknown;
  from: string;
}

function fileValues(configFile: string): GivenValue[] {
  let fromFile: unknown;
  try {
    fromFile = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new UserError(`config file ${configFile} is not valid JSON: ${errorMessage(err)}`);
  }
  const given: GivenValue[] = [];
  for (const [section, values] of Object.entries((fromFile ?? {}) as Record<string, unknown>)) {
    if (!Object.hasOwn(CONFIG_SCHEMA, section))
      throw new UserError(`config file ${configFile}: unknown section '${section}'`);
    for (const [key, raw] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      if (!keySpec(section, key)) throw new UserError(`config file ${configFile}: unknown key '${section}.${key}'`);
      given.push({ section, key, raw, from: `file ${configFile}` });
    }
  }
  return given;
}

function envValues(env: NodeJS.ProcessEnv): GivenValue[] {
  const given: GivenValue[] = [];
  for (const [name, raw] of Object.entries(env)) {
    const match = /^DAGCTL__([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(name);
    if (!match || raw === undefined) continue;
    const section = match[1].toLowerCase();
    const key = match[2].toLowerCase();
    if (!keySpec(section, key))
      throw new UserError(`environment variable ${name}: unknown config key '${section}.${key}'`);
    given.push({ section, key, raw, from: `environment variable ${name}` });
  }
  return given;
}

/**
 * Compile the configuration: env (DAGCTL__SECTION__KEY) wins over the file
 * ($DAGCTL_HOME/dagctl.json, else config/dagctl.json in a checkout), which wins over defaults.
 * A bad value fails with one line naming the key and where the value came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const home = resolveHome(env, cwd);
  const candidates = [path.join(home, 'dagctl.json'), path.join(home, 'config', 'dagctl.json')];
  const configFile = candidates.find((file) => fs.existsSync(file)) ?? null;

  const sections: Record<string, Record<string, unknown>> = {};
  const given = [
    ...configKeys().map(([section, key, spec]) => ({ section, key, raw: spec.default, from: 'default' })),
    ...(configFile ? fileValues(configFile) : []),
    ...envValues(env),
  ];
  for (const { section, key, raw, from } of given) {
    try {
      (sections[section] ??= {})[key] = parseConfigValue(keySpec(section, key)!, raw);
    } catch (err) {
      throw new UserError(`config ${section}.${key} (${from}): ${errorMessage(err)}`);
    }
  }

  const config = sections as unknown as DagctlConfig;
  config.core.dags_folder = path.resolve(home, config.core.dags_folder || 'dags');
  config.core.xcom_backend_path = path.resolve(home, config.core.xcom_backend_path || 'xcom');
  config.logging.base_log_folder = path.resolve(home, config.logging.base_log_folder || 'logs');
  if (!config.database.url) config.database.url = `sqlite:///${path.join(home, 'dagctl.db')}`;
  return { ...config, home, configFile };
}
