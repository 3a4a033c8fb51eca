import { DagRunEntity, TaskInstanceEntity, TaskInstanceHistoryEntity, XComEntity } from '../db/entities';
import { runInTransaction } from '../db/transaction';
import { purgeXComFiles } from './purge-xcom-files';
import { recordAuditEvent } from './audit-log';
import { requireDagRun } from './require-dag';
import type { ServiceContext } from './service-context';

/**
 * Remove one DAG run with its task instances, tries and XComs (Airflow's DELETE dagRun). Logs
 * stay on disk. NotFoundError when the DAG or the run does not exist.
 */
export async function deleteDagRun(
  ctx: ServiceContext,
  dagId: string,
  runId: string,
  actor?: string,
): Promise<{ rowsDeleted: number }> {
  const result = await runInTransaction(ctx.dataSource, async (tx) => {
    await requireDagRun(tx, dagId, runId);
    let rowsDeleted = 0;
    for (const entity of [XComEntity, TaskInstanceHistoryEntity, TaskInstanceEntity, DagRunEntity]) {
      const result = await tx
        .createQueryBuilder()
        .delete()
        .from(entity)
        .where('dag_id = :dagId AND run_id = :runId', { dagId, runId })
        .execute();
      rowsDeleted += result.affected ?? 0;
    }
    await recordAuditEvent(tx, ctx.clock, {
      event: 'delete_dag_run',
      dagId,
      runId,
      actor: actor ?? ctx.actor,
      extra: { rows: rowsDeleted },
    });
    return { rowsDeleted };
  });
  purgeXComFiles(ctx, [{ dagId, runId }]);
  return result;
}
