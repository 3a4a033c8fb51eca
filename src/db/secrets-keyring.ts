import { SecretsKeyring } from './secrets-cipher';

/**
 * The keyring of this process. A TypeORM column transformer has no access to its DataSource, so
 * the key lives here: `openDatabase` sets it from `core.fernet_key`, and one process works with
 * one configuration. Parsed on first use, so a command that touches no secret never fails on a
 * malformed key.
 */
let configured = '';
let parsed: SecretsKeyring | undefined;

export function useFernetKey(raw: string): void {
  if (raw === configured && parsed) return;
  configured = raw;
  parsed = undefined;
}

export function currentKeyring(): SecretsKeyring {
  parsed ??= SecretsKeyring.fromConfig(configured);
  return parsed;
}

/** Encrypt for storage (null stays null). */
export function sealSecret(plain: string | null | undefined): string | null {
  if (plain === null || plain === undefined) return null;
  return currentKeyring().encrypt(plain);
}

/** Decrypt what was stored (null stays null; clear text from an older dagctl passes through). */
export function openSecret(stored: string | null | undefined): string | null {
  if (stored === null || stored === undefined) return null;
  return currentKeyring().decrypt(stored);
}
