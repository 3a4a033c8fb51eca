import type { EntityManager } from 'typeorm';
import { DagCodeEntity } from '../db/entities';

/**
 * Store the source text of a DAG file (shown by the web server) and the hash of the config
 * defaults its DAGs were serialized with; idempotent.
 */
export async function upsertDagCode(
  em: EntityManager,
  fileloc: string,
  sourceCode: string,
  defaultsHash: string,
  now: Date,
): Promise<void> {
  await em
    .createQueryBuilder()
    .insert()
    .into(DagCodeEntity)
    .values({ fileloc, sourceCode, defaultsHash, lastUpdated: now })
    .orUpdate(['source_code', 'defaults_hash', 'last_updated'], ['fileloc'])
    .execute();
}

/** Forget the source of a file that defines no DAG any more (or was deleted). */
export async function deleteDagCode(em: EntityManager, fileloc: string): Promise<void> {
  await em.createQueryBuilder().delete().from(DagCodeEntity).where('fileloc = :fileloc', { fileloc }).execute();
}
