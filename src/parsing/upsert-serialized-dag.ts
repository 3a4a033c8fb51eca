import type { EntityManager } from 'typeorm';
import { SerializedDagEntity } from '../db/entities';

/**
 * Store the serialized form of one DAG when its hash differs from the stored one.
 * Returns true when a row was written (new DAG or new version). Idempotent.
 */
export async function upsertSerializedDag(
  em: EntityManager,
  row: { dagId: string; fileloc: string; data: string; dagHash: string; now: Date },
): Promise<boolean> {
  const repo = em.getRepository(SerializedDagEntity);
  const existing = await repo
    .createQueryBuilder('s')
    .select(['s.dagId', 's.dagHash'])
    .where('s.dagId = :dagId', { dagId: row.dagId })
    .getOne();
  if (existing?.dagHash === row.dagHash) return false;
  const values = { dagId: row.dagId, fileloc: row.fileloc, data: row.data, dagHash: row.dagHash, lastUpdated: row.now };
  if (!existing) {
    // Another processor may insert the same DAG concurrently: never fail on the unique key.
    await em
      .createQueryBuilder()
      .insert()
      .into(SerializedDagEntity)
      .values(values)
      .orUpdate(['fileloc', 'data', 'dag_hash', 'last_updated'], ['dag_id'])
      .execute();
  } else {
    await em
      .createQueryBuilder()
      .update(SerializedDagEntity)
      .set(values)
      .where('dag_id = :dagId', { dagId: row.dagId })
      .execute();
  }
  return true;
}
