import type { DataSource } from 'typeorm';
import { resealSecrets, type ResealCounts } from '../db/reseal-secrets';
import { missingKeyError } from '../db/secrets-cipher';
import { currentKeyring } from '../db/secrets-keyring';
import { runInTransaction } from '../db/transaction';

/**
 * `dagctl rotate-fernet-key`: re-encrypt every connection password/extra and variable value with
 * the first key of `core.fernet_key` (any listed key may decrypt). One transaction: a value no key
 * decrypts fails the whole rotation with nothing rewritten.
 */
export async function rotateFernetKey(dataSource: DataSource): Promise<ResealCounts> {
  const keyring = currentKeyring();
  if (keyring.isEmpty) throw missingKeyError();
  return runInTransaction(dataSource, (tx) => resealSecrets(tx, keyring));
}
