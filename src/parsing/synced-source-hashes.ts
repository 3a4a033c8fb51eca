import type { DataSource } from 'typeorm';
import type { AuthoringDefaults } from '../authoring/authoring-defaults';
import { DagCodeEntity, ImportErrorEntity } from '../db/entities';
import { contentHash } from '../core/content-hash';

/** Hash of the config defaults DAG files are parsed with, kept per file in `dag_code.defaults_hash`. */
export function authoringDefaultsHash(defaults: AuthoringDefaults): string {
  const { maxActiveTasks, maxActiveRuns, retries } = defaults;
  return contentHash(JSON.stringify({ maxActiveTasks, maxActiveRuns, retries }));
}

/**
 * Content hash of every DAG file whose DAGs are in the DB without an import error, from
 * `dag_code`: on a fresh start, a file with the same hash need not be imported again — unless its
 * DAGs were serialized with other config defaults (`defaultsHash`), which would leave them stale.
 */
export async function loadSyncedSourceHashes(
  dataSource: DataSource,
  defaultsHash: string,
): Promise<Map<string, string>> {
  const [code, errors] = await Promise.all([
    dataSource
      .getRepository(DagCodeEntity)
      .createQueryBuilder('c')
      .select(['c.fileloc', 'c.sourceCode'])
      .where('c.defaultsHash = :defaultsHash', { defaultsHash })
      .getMany(),
    dataSource.getRepository(ImportErrorEntity).createQueryBuilder('e').select(['e.id', 'e.filename']).getMany(),
  ]);
  const failed = new Set(errors.map((e) => e.filename));
  return new Map(code.filter((c) => !failed.has(c.fileloc)).map((c) => [c.fileloc, contentHash(c.sourceCode)]));
}
