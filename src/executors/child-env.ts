import { CONFIG_DEFAULTS } from '../config/defaults';
import type { LoadedConfig } from '../config/load-config';

/**
 * The environment of task processes: the parent's environment with DAGCTL_HOME and every
 * resolved config key as DAGCTL__SECTION__KEY, so a child's loadConfig() sees exactly the
 * parent's configuration (even one built in code, as tests do).
 */
export function childEnvFor(config: LoadedConfig, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!name.startsWith('DAGCTL__')) env[name] = value;
  env.DAGCTL_HOME = config.home;
  const sections = config as unknown as Record<string, Record<string, unknown>>;
  for (const [section, keys] of Object.entries(CONFIG_DEFAULTS)) {
    for (const key of Object.keys(keys)) {
      const value = sections[section]?.[key];
      if (value !== undefined && value !== null)
        env[`DAGCTL__${section.toUpperCase()}__${key.toUpperCase()}`] =
          typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return env;
}
