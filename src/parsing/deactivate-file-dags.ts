import type { EntityManager } from 'typeorm';
import { DagEntity } from '../db/entities';

/**
 * Mark inactive the DAGs owned by `fileloc` other than `keepDagIds` (the file stopped defining
 * them, failed to import, or was deleted). Returns the ids deactivated.
 */
export async function deactivateFileDags(
  em: EntityManager,
  fileloc: string,
  keepDagIds: readonly string[],
): Promise<string[]> {
  const rows = await em
    .getRepository(DagEntity)
    .createQueryBuilder('dag')
    .select(['dag.dagId'])
    .where('dag.fileloc = :fileloc AND dag.isActive = :active', { fileloc, active: true })
    .getMany();
  const keep = new Set(keepDagIds);
  const gone = rows
    .map((row) => row.dagId)
    .filter((dagId) => !keep.has(dagId))
    .sort();
  if (gone.length === 0) return [];
  await em
    .createQueryBuilder()
    .update(DagEntity)
    .set({ isActive: false })
    .where('dag_id IN (:...gone) AND fileloc = :fileloc', { gone, fileloc })
    .execute();
  return gone;
}
