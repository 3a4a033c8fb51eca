import { signValue, unsignValue } from '../auth/cookies';

const cache = new Map<string, string>();
const MAX_CACHED = 20_000;

/** Airflow's `file_token`: the DAG file path, signed so clients cannot ask for other files. */
export function fileToken(secretKey: string, fileloc: string): string {
  // An HMAC per DAG per listing adds up; tokens never change for a key and a path.
  const key = `${secretKey}\0${fileloc}`;
  let token = cache.get(key);
  if (token === undefined) {
    token = signValue(secretKey, Buffer.from(fileloc, 'utf8').toString('base64url'));
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, token);
  }
  return token;
}

export function filelocFromToken(secretKey: string, token: string): string | null {
  const value = unsignValue(secretKey, token);
  return value === null ? null : Buffer.from(value, 'base64url').toString('utf8');
}
