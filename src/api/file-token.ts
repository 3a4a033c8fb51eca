import { signValue, unsignValue } from '../web/auth/cookies';

/** Airflow's `file_token`: the DAG file path, signed so clients cannot ask for other files. */
export function fileToken(secretKey: string, fileloc: string): string {
  return signValue(secretKey, Buffer.from(fileloc, 'utf8').toString('base64url'));
}

export function filelocFromToken(secretKey: string, token: string): string | null {
  const value = unsignValue(secretKey, token);
  return value === null ? null : Buffer.from(value, 'base64url').toString('utf8');
}
