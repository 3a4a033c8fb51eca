import { maskSensitiveExtra } from '../../core/secrets-masker';
import { openSecret } from '../../db/secrets-keyring';

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

/**
 * Airflow's `Connection` without the (write-only) password, its extra's sensitive fields `***`
 * (contract §6); `extraWords`: the words of `core.sensitive_var_conn_names`, split.
 */
export function connectionJson(row: Record<string, unknown>, extraWords: readonly string[]): Record<string, unknown> {
  // Read with raw SQL: `extra` is still encrypted here (the entity's transformer is not involved).
  return { ...connectionItemJson(row), extra: maskSensitiveExtra(openSecret(row.extra as string | null), extraWords) };
}
