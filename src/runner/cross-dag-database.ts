import type { DataSource } from 'typeorm';
import type { TriggeredRun, TriggerRunRequest } from '../core/cross-dag';
import { DagRunExistsError } from '../core/errors';
import { createManualDagRun, resetDagRunForTrigger } from '../db/transitions/create-manual-dag-run';

export { readExternalRunStates } from '../db/reads/external-run-reads';

/**
 * TriggerDagRunOperator's run, created through the path of `dags trigger` (the same checks of
 * the DAG, run id and conf). A run that already exists fails the task, as in Airflow, unless
 * `resetDagRun` asks to clear it so it runs again.
 */
export async function triggerRunFromTask(
  ds: DataSource,
  request: TriggerRunRequest,
  confOverridesParams: boolean,
): Promise<TriggeredRun> {
  const now = new Date();
  const logicalDate = request.logicalDate ? new Date(request.logicalDate) : now;
  try {
    const created = await createManualDagRun(
      ds,
      {
        dagId: request.dagId,
        runId: request.runId ?? undefined,
        logicalDate,
        conf: request.conf,
        triggeredByTask: request.triggeredByTask,
      },
      { now, confOverridesParams },
    );
    return { runId: created.runId, logicalDate: created.logicalDate.toISOString(), created: true };
  } catch (err) {
    if (!(err instanceof DagRunExistsError) || !request.resetDagRun) throw err;
    const query = request.runId ? { runId: request.runId } : { logicalDate };
    const runId = await resetDagRunForTrigger(ds, { dagId: request.dagId, ...query }, now);
    if (!runId) throw err;
    return { runId, logicalDate: logicalDate.toISOString(), created: false };
  }
}
