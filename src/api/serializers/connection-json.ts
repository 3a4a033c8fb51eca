import { openSecret } from '../../db/secrets-keyring';

const SECRET_EXTRA_KEY = /pass|secret|token|private|credential|api[_-]?key|access[_-]?key/i;

/**
 * Connection `extra` with values under secret-looking keys masked: the API never returns
 * passwords, and extras often carry keys and tokens too.
 */
export function maskedExtra(extra: string | null): string | null {
  if (!extra) return extra ?? null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    return '***';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return extra;
  const masked = Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([key, value]) => [
      key,
      SECRET_EXTRA_KEY.test(key) ? '***' : value,
    ]),
  );
  return JSON.stringify(masked);
}

export const CONNECTION_COLUMNS =
  'c.conn_id, c.conn_type, c.description, c.host, c.login, c."schema" AS "schema", c.port, c.extra';

export function connectionItemJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    connection_id: row.conn_id,
    conn_type: row.conn_type,
    description: row.description ?? null,
    host: row.host ?? null,
    login: row.login ?? null,
    schema: row.schema ?? null,
    port: row.port === null || row.port === undefined ? null : Number(row.port),
  };
}

/** Airflow's `Connection` without the (write-only) password. */
export function connectionJson(row: Record<string, unknown>): Record<string, unknown> {
  // Read with raw SQL: `extra` is still encrypted here (the entity's transformer is not involved).
  return { ...connectionItemJson(row), extra: maskedExtra(openSecret(row.extra as string | null)) };
}
