import type { DataSource } from 'typeorm';
import { NotFoundError } from '../../../core/errors';
import type { SerializedDag } from '../../../core/serialized-dag';
import { DagEntity, SerializedDagEntity } from '../../../db/entities';

export interface LoadedDag {
  dag: SerializedDag;
  model: DagEntity | null;
}

export async function loadSerializedDag(dataSource: DataSource, dagId: string): Promise<SerializedDag | null> {
  const row = await dataSource.getRepository(SerializedDagEntity).findOneBy({ dagId });
  return row ? (JSON.parse(row.data) as SerializedDag) : null;
}

/** The serialized DAG and its `dag` row; NotFoundError when the DAG was never parsed. */
export async function requireDag(dataSource: DataSource, dagId: string): Promise<LoadedDag> {
  const dag = await loadSerializedDag(dataSource, dagId);
  if (!dag) throw new NotFoundError(`DAG '${dagId}' not found`);
  const model = await dataSource.getRepository(DagEntity).findOneBy({ dagId });
  return { dag, model };
}
