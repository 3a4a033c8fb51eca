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
  if (!match)
    throw new InvalidArgumentError(
      `invalid connection URI '${uri}': expected type://login:password@host:port/schema?extra`,
    );
  const [, scheme, login, password, host, port, schema, query] = match;
  const decode = (value: string | undefined): string | null => (value ? decodeURIComponent(value) : null);
  let extra: string | null = null;
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
    login: decode(login),
    password: decode(password),
    host: decode(host),
    port: port ? Number(port) : null,
    schema: decode(schema),
    extra,
  };
}
