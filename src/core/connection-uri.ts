import { InvalidArgumentError } from '../core/errors';

/** The fields of a connection, as Airflow's Connection model has them. */
export interface ConnectionFields {
  connType: string;
  host: string | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  port: number | null;
  /** JSON text. */
  extra: string | null;
}

/** Extras whose values are all strings travel as query parameters, anything else as `__extra__`. */
function extraToQuery(extra: string | null): string {
  if (!extra) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    return `?__extra__=${encodeURIComponent(extra)}`;
  }
  if (
    parsed &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    const params = new URLSearchParams(parsed as Record<string, string>).toString();
    return params ? `?${params}` : '';
  }
  return `?__extra__=${encodeURIComponent(extra)}`;
}

/** Airflow's URI form: `type://login:password@host:port/schema?extra`. Underscores in the type become dashes. */
export function connectionToUri(conn: ConnectionFields): string {
  const scheme = conn.connType.replace(/_/g, '-');
  let auth = '';
  if (conn.login || conn.password) {
    auth = `${encodeURIComponent(conn.login ?? '')}${conn.password ? `:${encodeURIComponent(conn.password)}` : ''}@`;
  }
  const host = conn.host ? encodeURIComponent(conn.host) : '';
  const port = conn.port !== null && conn.port !== undefined ? `:${conn.port}` : '';
  const schema = conn.schema ? `/${encodeURIComponent(conn.schema)}` : '';
  const path = schema || (extraToQuery(conn.extra) ? '/' : '');
  return `${scheme}://${auth}${host}${port}${path}${extraToQuery(conn.extra)}`;
}

/** `type://login:password@host:port/schema?extra`, each part but the type optional. */
const CONNECTION_URI = new RegExp(
  [
    '^([a-zA-Z][a-zA-Z0-9+.\\-_]*)://', // type
    '(?:([^:@/]*)(?::([^@/]*))?@)?', // login, password
    '([^:/?#]*)', // host
    '(?::(\\d+))?', // port
    '(?:/([^?#]*))?', // schema
    '(?:\\?([^#]*))?$', // extra
  ].join(''),
);

export function parseConnectionUri(uri: string): ConnectionFields {
  const match = CONNECTION_URI.exec(uri.trim());
  // The URI is not repeated in the message: it may hold a password.
  if (!match)
    throw new InvalidArgumentError('invalid connection URI: expected type://login:password@host:port/schema?extra');
  const [, scheme, login, password, host, port, schema, query] = match;
  const decode = (value: string | undefined): string | null => (value ? decodeURIComponent(value) : null);
  let extra: string | null = null;
  let decoded: Pick<ConnectionFields, 'login' | 'password' | 'host' | 'schema'>;
  try {
    decoded = { login: decode(login), password: decode(password), host: decode(host), schema: decode(schema) };
  } catch {
    throw new InvalidArgumentError('invalid connection URI: a part is not valid percent-encoding');
  }
  if (query) {
    const params = new URLSearchParams(query);
    const raw = params.get('__extra__');
    if (raw !== null) {
      extra = raw;
    } else {
      const object: Record<string, string> = {};
      params.forEach((value, key) => {
        object[key] = value;
      });
      extra = JSON.stringify(object);
    }
  }
  return {
    connType: scheme.replace(/-/g, '_'),
    ...decoded,
    port: port ? Number(port) : null,
    extra,
  };
}

const JSON_FIELDS: Record<string, keyof ConnectionFields> = {
  conn_type: 'connType',
  host: 'host',
  login: 'login',
  password: 'password',
  schema: 'schema',
  port: 'port',
  extra: 'extra',
};

/**
 * Airflow's JSON form of a connection: `{"conn_type": "postgres", "host": …, "port": 5432,
 * "extra": {…}}` (extra an object or JSON text). Unknown fields are refused, naming them.
 */
export function parseConnectionJson(text: unknown): ConnectionFields & { description?: string | null } {
  let value: unknown = text;
  if (typeof text === 'string') {
    try {
      value = JSON.parse(text);
    } catch {
      throw new InvalidArgumentError('invalid connection JSON: not a JSON object');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError('invalid connection JSON: not a JSON object');
  const fields: ConnectionFields & { description?: string | null } = {
    connType: '',
    host: null,
    login: null,
    password: null,
    schema: null,
    port: null,
    extra: null,
  };
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (name === 'description') {
      fields.description = raw === null ? null : scalarText(raw, name);
      continue;
    }
    if (name === 'conn_id') continue;
    const field = JSON_FIELDS[name];
    if (!field) throw new InvalidArgumentError(`invalid connection JSON: unknown field '${name}'`);
    if (raw === null || raw === undefined) continue;
    if (field === 'port') {
      const port = Number(raw);
      if (!Number.isInteger(port)) throw new InvalidArgumentError('invalid connection JSON: port must be an integer');
      fields.port = port;
    } else if (field === 'extra') {
      fields.extra = typeof raw === 'string' ? raw : JSON.stringify(raw);
    } else {
      fields[field] = scalarText(raw, name);
    }
  }
  if (!fields.connType) throw new InvalidArgumentError("invalid connection JSON: 'conn_type' is required");
  return fields;
}

function scalarText(raw: unknown, name: string): string {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new InvalidArgumentError(`invalid connection JSON: '${name}' must be a string`);
}

/** A connection given as text: JSON when it starts with `{`, else a URI. */
export function parseConnectionText(text: string): ConnectionFields & { description?: string | null } {
  return text.trim().startsWith('{') ? parseConnectionJson(text) : parseConnectionUri(text);
}

/** The JSON form (`connections export`, `--conn-json`): extra parsed when it is JSON. */
export function connectionToJson(conn: ConnectionFields & { description?: string | null }): Record<string, unknown> {
  let extra: unknown = conn.extra;
  if (conn.extra) {
    try {
      extra = JSON.parse(conn.extra);
    } catch {
      extra = conn.extra;
    }
  }
  return {
    conn_type: conn.connType,
    description: conn.description ?? null,
    host: conn.host,
    login: conn.login,
    password: conn.password,
    schema: conn.schema,
    port: conn.port,
    extra,
  };
}
