import type { DataSource } from 'typeorm';
import { DagCodeEntity, ImportErrorEntity } from '../db/entities';
import { contentHash } from '../core/content-hash';

/**
 * Content hash of every DAG file whose DAGs are in the DB without an import error, from
 * `dag_code`: on a fresh start, a file with the same hash need not be imported again.
 */
export async function loadSyncedSourceHashes(dataSource: DataSource): Promise<Map<string, string>> {
  const [code, errors] = await Promise.all([
    dataSource.getRepository(DagCodeEntity).createQueryBuilder('c').select(['c.fileloc', 'c.sourceCode']).getMany(),
    dataSource.getRepository(ImportErrorEntity).createQueryBuilder('e').select(['e.id', 'e.filename']).getMany(),
  ]);
  const failed = new Set(errors.map((e) => e.filename));
  return new Map(code.filter((c) => !failed.has(c.fileloc)).map((c) => [c.fileloc, contentHash(c.sourceCode)]));
}
