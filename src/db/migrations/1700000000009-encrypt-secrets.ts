import { MigrationInterface, QueryRunner } from 'typeorm';
import { resealSecrets, hasClearTextSecrets, SECRET_COLUMNS } from '../reseal-secrets';
import { missingKeyError } from '../secrets-cipher';
import { currentKeyring } from '../secrets-keyring';
import { execSql } from '../sql';

/**
 * Connection passwords/extras and variable values stored in clear text by an earlier dagctl are
 * encrypted with `core.fernet_key` (CONTRACT §6). `initdb` / `db migrate` generate the key first
 * when none is set; run any other way with clear-text secrets and no key, this migration fails
 * with the one-line "core.fernet_key is not set" error and changes nothing (it is retried by the
 * next `initdb`). A database without clear-text secrets needs no key.
 */
export class EncryptSecrets1700000000009 implements MigrationInterface {
  name = 'EncryptSecrets1700000000009';

  async up(q: QueryRunner): Promise<void> {
    if (!(await hasClearTextSecrets(q.manager))) return;
    const keyring = currentKeyring();
    if (keyring.isEmpty) throw missingKeyError();
    await resealSecrets(q.manager, keyring, { onlyClearText: true });
  }

  /** Back to clear text, as the previous version expects (needs the key). */
  async down(q: QueryRunner): Promise<void> {
    const keyring = currentKeyring();
    for (const [table, columns] of Object.entries(SECRET_COLUMNS)) {
      const quoted = columns.map((c) => `"${c}"`);
      const { records } = await execSql<Record<string, string | null>>(
        q.manager,
        `SELECT id, ${quoted.join(', ')} FROM ${table}`,
      );
      for (const row of records) {
        const clear = columns.map((c) => (row[c] === null ? null : keyring.decrypt(row[c])));
        await execSql(q.manager, `UPDATE ${table} SET ${quoted.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [
          ...clear,
          row.id,
        ]);
      }
    }
  }
}
