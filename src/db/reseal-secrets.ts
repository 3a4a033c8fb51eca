import type { EntityManager } from 'typeorm';
import { isEncryptedSecret, SecretsKeyring } from './secrets-cipher';
import { execSql } from './sql';

/** Every column encrypted at rest (CONTRACT §6), by table. */
export const SECRET_COLUMNS = {
  connection: ['password', 'extra'],
  variable: ['val'],
} as const;

export type ResealCounts = Record<keyof typeof SECRET_COLUMNS, number>;

export interface ResealOptions {
  /** Upgrade migration: encrypt only the values still in clear text, leave encrypted ones alone. */
  onlyClearText?: boolean;
}

/**
 * Rewrite every stored secret encrypted with the keyring's first key: decrypted with whichever
 * key fits (clear text from before encryption passes through), encrypted again. Works on raw rows
 * (no entity transformer) inside the caller's transaction, so a wrong key changes nothing.
 * Returns how many rows of each table were rewritten.
 */
export async function resealSecrets(
  tx: EntityManager,
  keyring: SecretsKeyring,
  options: ResealOptions = {},
): Promise<ResealCounts> {
  const counts: ResealCounts = { connection: 0, variable: 0 };
  for (const [table, columns] of Object.entries(SECRET_COLUMNS) as Array<[keyof ResealCounts, readonly string[]]>) {
    const quoted = columns.map((column) => `"${column}"`);
    const { records } = await execSql<Record<string, string | null>>(
      tx,
      `SELECT id, ${quoted.join(', ')} FROM ${table} ORDER BY id`,
    );
    for (const row of records) {
      const values = columns.map((column) => row[column]);
      const needed = values.some((v) => v !== null && !(options.onlyClearText && isEncryptedSecret(v)));
      if (!needed) continue;
      const sealed = values.map((v) => {
        if (v === null || (options.onlyClearText && isEncryptedSecret(v))) return v;
        return keyring.encrypt(keyring.decrypt(v));
      });
      await execSql(tx, `UPDATE ${table} SET ${quoted.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [
        ...sealed,
        row.id,
      ]);
      counts[table] += 1;
    }
  }
  return counts;
}

/** True when some secret is still stored in clear text (what the upgrade migration encrypts). */
export async function hasClearTextSecrets(tx: EntityManager): Promise<boolean> {
  for (const [table, columns] of Object.entries(SECRET_COLUMNS)) {
    const { records } = await execSql<Record<string, string | null>>(
      tx,
      `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${table}`,
    );
    if (records.some((row) => columns.some((c) => row[c] !== null && !isEncryptedSecret(row[c])))) return true;
  }
  return false;
}
