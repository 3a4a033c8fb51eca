import { runInTransaction } from '../db/transaction';
import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { deactivateFileDags } from './deactivate-file-dags';
import { recordImportError } from './record-import-error';
import { deleteDagCode } from './upsert-dag-code';

/**
 * Files known to the DB (active DAGs, import errors, stored source) that are not in `present`.
 * Raw SQL: every periodic rescan runs this, and hydrating thousands of entities is most of its cost.
 */
export async function findMissingFiles(dataSource: DataSource, present: ReadonlySet<string>): Promise<string[]> {
  const { records } = await execSql<{ file: string }>(
    dataSource,
    `SELECT fileloc AS file FROM dag WHERE is_active = ?
     UNION SELECT filename AS file FROM import_error
     UNION SELECT fileloc AS file FROM dag_code`,
    [true],
  );
  return [...new Set(records.map((r) => r.file))].filter((file) => file !== null && !present.has(file)).sort();
}

/**
 * Forget a file that no longer exists (or is now ignored): its DAGs become inactive, its import
 * error and stored source are removed. One transaction per file. Returns the DAGs deactivated.
 */
export async function removeMissingFile(dataSource: DataSource, file: string, now: Date): Promise<string[]> {
  return runInTransaction(dataSource, async (em) => {
    const gone = await deactivateFileDags(em, file, []);
    await recordImportError(em, file, null, now);
    await deleteDagCode(em, file);
    return gone;
  });
}
