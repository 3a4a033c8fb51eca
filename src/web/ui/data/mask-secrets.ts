/** Names that mark a value as secret, as Airflow's `sensitive_var_conn_names`. */
const SENSITIVE = [
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'passphrase',
  'passwd',
  'password',
  'private_key',
  'secret',
  'token',
];

export const MASK = '***';

export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE.some((word) => lower.includes(word));
}

/** Connection `extra` JSON with every sensitive key masked; unparsable extras are hidden whole. */
export function maskExtra(extra: string | null): string | null {
  if (extra === null || extra.trim() === '') return extra;
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    return MASK;
  }
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, isSensitiveName(key) ? MASK : walk(inner)]),
      );
    }
    return value;
  };
  return JSON.stringify(walk(parsed));
}
