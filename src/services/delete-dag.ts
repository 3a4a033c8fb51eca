import {
  DagCodeEntity,
  DagEntity,
  DagRunEntity,
  ImportErrorEntity,
  SerializedDagEntity,
  TaskInstanceEntity,
  TaskInstanceHistoryEntity,
  XComEntity,
} from '../db/entities';
import { purgeXComFiles } from './purge-xcom-files';
import { recordAuditEvent } from './audit-log';
import { requireDag } from './require-dag';
import type { ServiceContext } from './service-context';
import { runInTransaction } from '../db/transaction';

export interface DeleteDagResult {
  dagId: string;
  /** Rows removed across all metadata tables. */
  rowsDeleted: number;
}

/**
 * Remove a DAG and all its history (runs, task instances, tries, XComs) from the metadata DB,
 * like Airflow's `dags delete`. The file is untouched: if it still defines the DAG, the next
 * parse brings the DAG back without history.
 */
export async function deleteDag(ctx: ServiceContext, dagId: string, actor?: string): Promise<DeleteDagResult> {
  const result = await runInTransaction(ctx.dataSource, async (tx) => {
    const dag = await requireDag(tx, dagId);
    let rowsDeleted = 0;
    for (const entity of [
      XComEntity,
      TaskInstanceHistoryEntity,
      TaskInstanceEntity,
      DagRunEntity,
      SerializedDagEntity,
      DagEntity,
    ]) {
      const result = await tx.createQueryBuilder().delete().from(entity).where('dag_id = :dagId', { dagId }).execute();
      rowsDeleted += result.affected ?? 0;
    }
    // The file's source and import error go too, unless another DAG still comes from that file.
    const sameFile = await tx.getRepository(DagEntity).countBy({ fileloc: dag.fileloc });
    if (sameFile === 0) {
      rowsDeleted += (await tx.getRepository(ImportErrorEntity).delete({ filename: dag.fileloc })).affected ?? 0;
      rowsDeleted += (await tx.getRepository(DagCodeEntity).delete({ fileloc: dag.fileloc })).affected ?? 0;
    } else {
      // The file's source stays for its other DAGs, but without its defaults hash: a DAG processor
      // starting later must not take the unchanged file as synced, or this DAG would not come back.
      await tx.getRepository(DagCodeEntity).update({ fileloc: dag.fileloc }, { defaultsHash: null });
    }
    await recordAuditEvent(tx, ctx.clock, {
      event: 'delete_dag',
      dagId,
      actor: actor ?? ctx.actor,
      extra: { rows: rowsDeleted },
    });
    return { dagId, rowsDeleted };
  });
  purgeXComFiles(ctx, [{ dagId }]);
  return result;
}
