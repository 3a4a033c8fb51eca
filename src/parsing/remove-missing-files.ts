import { runInTransaction } from '../db/transaction';
import type { DataSource } from 'typeorm';
import { DagCodeEntity, DagEntity, ImportErrorEntity } from '../db/entities';
import { deactivateFileDags } from './deactivate-file-dags';
import { recordImportError } from './record-import-error';
import { deleteDagCode } from './upsert-dag-code';

/** Files known to the DB (active DAGs, import errors, stored source) that are not in `present`. */
export async function findMissingFiles(dataSource: DataSource, present: ReadonlySet<string>): Promise<string[]> {
  const [dags, errors, code] = await Promise.all([
    dataSource.getRepository(DagEntity).createQueryBuilder('dag').select(['dag.dagId', 'dag.fileloc']).where('dag.isActive = :active', { active: true }).getMany(),
    dataSource.getRepository(ImportErrorEntity).createQueryBuilder('e').select(['e.id', 'e.filename']).getMany(),
    dataSource.getRepository(DagCodeEntity).createQueryBuilder('c').select(['c.fileloc']).getMany(),
  ]);
  const known = new Set([...dags.map((d) => d.fileloc), ...errors.map((e) => e.filename), ...code.map((c) => c.fileloc)]);
  return [...known].filter((file) => !present.has(file)).sort();
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
