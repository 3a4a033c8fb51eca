import type { EntityManager } from 'typeorm';
import type { SerializedDag } from '../core/serialized-dag';
import { databaseKind } from '../db/data-source';
import { DagEntity } from '../db/entities';

export type DagClaim = { owned: true } | { owned: false; otherFile: string };

/**
 * Make `file` the owner of the `dag` row of `dag.dagId` and refresh its metadata, unless another
 * file still actively defines that DAG. A new row gets `is_paused = pausedAtCreation`; an
 * existing row keeps its paused flag. Insert-or-ignore then a locked read keeps two processors
 * from creating duplicates or both claiming the same DAG.
 */
export async function claimDagRow(
  em: EntityManager,
  dag: SerializedDag,
  file: string,
  options: { pausedAtCreation: boolean; now: Date },
): Promise<DagClaim> {
  const metadata = {
    isActive: true,
    fileloc: file,
    description: dag.description,
    schedule: dag.scheduleText,
    tags: dag.tags,
    owners: dag.owner,
    maxActiveRuns: dag.maxActiveRuns,
    maxActiveTasks: dag.maxActiveTasks,
    lastParsedTime: options.now,
  };
  await em
    .createQueryBuilder()
    .insert()
    .into(DagEntity)
    .values({ dagId: dag.dagId, isPaused: options.pausedAtCreation, ...metadata })
    .orIgnore()
    .execute();

  const query = em
    .getRepository(DagEntity)
    .createQueryBuilder('dag')
    .select(['dag.dagId', 'dag.fileloc', 'dag.isActive'])
    .where('dag.dagId = :dagId', { dagId: dag.dagId });
  if (databaseKind(em.connection) === 'postgres') query.setLock('pessimistic_write');
  const row = await query.getOneOrFail();

  if (row.isActive && row.fileloc !== file) return { owned: false, otherFile: row.fileloc };

  await em
    .createQueryBuilder()
    .update(DagEntity)
    .set(metadata)
    .where('dag_id = :dagId', { dagId: dag.dagId })
    .execute();
  return { owned: true };
}
