import { ConnectionFields, parseConnectionText } from './connection-uri';
import { errorMessage } from './errors';

/**
 * Connections and variables given in the environment win over the metadata database, as
 * Airflow's environment-variables secrets backend: `DAGCTL_CONN_<CONN_ID>` (a URI or a JSON
 * object) and `DAGCTL_VAR_<KEY>`, the id or key in upper case.
 */
export function connectionEnvName(connId: string): string {
  return `DAGCTL_CONN_${connId.toUpperCase()}`;
}

export function variableEnvName(key: string): string {
  return `DAGCTL_VAR_${key.toUpperCase()}`;
}

/** The connection `DAGCTL_CONN_<ID>` describes, or null when unset. A bad value names the variable only. */
export function connectionFromEnv(
  connId: string,
  env: NodeJS.ProcessEnv = process.env,
): (ConnectionFields & { description?: string | null }) | null {
  const name = connectionEnvName(connId);
  const text = env[name];
  if (text === undefined || text === '') return null;
  try {
    return parseConnectionText(text);
  } catch (err) {
    // The parse error never quotes the value (it may hold a password).
    throw new Error(`${name}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The value of `DAGCTL_VAR_<KEY>`, or undefined when unset. */
export function variableFromEnv(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[variableEnvName(key)];
}
