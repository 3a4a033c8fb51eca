import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../core/errors';
import type { SerializedDag } from '../../core/serialized-dag';
import { SerializedDagEntity } from '../entities';

export interface StoredDag {
  dag: SerializedDag;
  dagHash: string;
  fileloc: string;
}

/** The latest serialized form of a DAG as the parser stored it, or null if never parsed. */
export async function readSerializedDag(db: DataSource | EntityManager, dagId: string): Promise<StoredDag | null> {
  const row = await db.getRepository(SerializedDagEntity).findOneBy({ dagId });
  if (!row) return null;
  return { dag: JSON.parse(row.data) as SerializedDag, dagHash: row.dagHash, fileloc: row.fileloc };
}

export async function requireSerializedDag(db: DataSource | EntityManager, dagId: string): Promise<StoredDag> {
  const stored = await readSerializedDag(db, dagId);
  if (!stored) throw new NotFoundError(`DAG '${dagId}' not found`);
  return stored;
}
