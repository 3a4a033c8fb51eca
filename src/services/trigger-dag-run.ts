import type { AppContext } from '../app/app-context';
import { DagRunEntity } from '../db/entities';
import { createManualDagRun, ManualDagRunInput } from '../db/transitions/create-manual-dag-run';
import { auditChange } from './audit-log';
import { notifySchedulers } from '../scheduler/external-change-watcher';

export type TriggerDagRunInput = ManualDagRunInput;

/**
 * Create a manual (or backfill) DAG run in state `queued`, like `airflow dags trigger`: the
 * scheduler starts it. Throws NotFoundError for an unknown DAG and InvalidArgumentError for a
 * bad run id, conf or a logical date that another run already has.
 */
export async function triggerDagRun(ctx: AppContext, input: TriggerDagRunInput): Promise<DagRunEntity> {
  const { runId, logicalDate } = await createManualDagRun(ctx.dataSource, input, {
    now: ctx.clock.now(),
    confOverridesParams: ctx.config.core.dag_run_conf_overrides_params,
  });
  await auditChange(ctx, {
    event: 'trigger',
    dagId: input.dagId,
    runId,
    extra: { run_type: input.runType ?? 'manual', logical_date: logicalDate.toISOString(), conf: input.conf ?? {} },
  });
  await notifySchedulers(ctx.dataSource);
  return ctx.dataSource.getRepository(DagRunEntity).findOneByOrFail({ dagId: input.dagId, runId });
}
