import type { DataSource } from 'typeorm';
import { DagEntity } from '../db/entities';

/**
 * Files among `expected` (file → the DAG ids it defined when last synced) with a DAG that is no
 * longer active in the DB under that file: deleted through the CLI, API or UI while the file
 * stayed the same. Their content hash is unchanged, so only this tells the processor to parse
 * them again and bring the DAG back.
 */
export async function findFilesMissingDags(
  dataSource: DataSource,
  expected: ReadonlyMap<string, readonly string[]>,
): Promise<string[]> {
  if (expected.size === 0) return [];
  const rows = await dataSource
    .getRepository(DagEntity)
    .createQueryBuilder('dag')
    .select(['dag.dagId', 'dag.fileloc'])
    .where('dag.isActive = :active', { active: true })
    .getMany();
  const active = new Set(rows.map((row) => `${row.fileloc}\0${row.dagId}`));
  return [...expected]
    .filter(([file, dagIds]) => dagIds.some((dagId) => !active.has(`${file}\0${dagId}`)))
    .map(([file]) => file);
}
