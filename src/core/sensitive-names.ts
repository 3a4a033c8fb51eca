/**
 * Words that make a variable key or a connection extra field secret, as Airflow's
 * `sensitive_var_conn_names` (contract §1, §6, plus Airflow's keyfile_dict and service_account and the
 * common access_key and credential); `core.sensitive_var_conn_names` adds more.
 */
export const SENSITIVE_WORDS: readonly string[] = [
  'access_key',
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'credential',
  'keyfile_dict',
  'passphrase',
  'passwd',
  'password',
  'private_key',
  'secret',
  'service_account',
  'token',
];

export const MASK = '***';

/** The extra words of `core.sensitive_var_conn_names` (comma-separated). */
export function extraSensitiveWords(setting: string | null | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter((word) => word !== '');
}

/** True when the name contains a sensitive word (case-insensitive). */
export function isSensitiveName(name: string, extraWords: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_WORDS.some((word) => lower.includes(word)) || extraWords.some((word) => lower.includes(word));
}
