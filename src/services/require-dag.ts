import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../core/errors';
import { DagEntity, type DagRunEntity } from '../db/entities';
import { findDagRun } from '../db/reads/dag-run-reads';

type Db = DataSource | EntityManager;

/** The DAG row, or a NotFoundError naming the id (CLI exit 1, HTTP 404). */
export async function requireDag(db: Db, dagId: string): Promise<DagEntity> {
  const dag = await db.getRepository(DagEntity).findOneBy({ dagId });
  if (!dag) throw new NotFoundError(`DAG '${dagId}' not found`);
  return dag;
}

/** The DAG run, or a NotFoundError naming the DAG and run ids. */
export async function requireDagRun(db: Db, dagId: string, runId: string): Promise<DagRunEntity> {
  const run = await findDagRun(db, dagId, runId);
  if (!run) {
    await requireDag(db, dagId);
    throw new NotFoundError(`DAG run '${runId}' of DAG '${dagId}' not found`);
  }
  return run;
}
