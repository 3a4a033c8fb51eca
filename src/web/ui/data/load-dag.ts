import type { DataSource } from 'typeorm';
import { NotFoundError } from '../../../core/errors';
import type { SerializedDag } from '../../../core/serialized-dag';
import { DagEntity } from '../../../db/entities';
import { readSerializedDag } from '../../../db/reads/read-serialized-dag';

export interface LoadedDag {
  dag: SerializedDag;
  model: DagEntity | null;
}

export async function loadSerializedDag(dataSource: DataSource, dagId: string): Promise<SerializedDag | null> {
  return (await readSerializedDag(dataSource, dagId))?.dag ?? null;
}

/** The serialized DAG and its `dag` row; NotFoundError when the DAG was never parsed. */
export async function requireDag(dataSource: DataSource, dagId: string): Promise<LoadedDag> {
  const dag = await loadSerializedDag(dataSource, dagId);
  if (!dag) throw new NotFoundError(`DAG '${dagId}' not found`);
  const model = await dataSource.getRepository(DagEntity).findOneBy({ dagId });
  return { dag, model };
}
