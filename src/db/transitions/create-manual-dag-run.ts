import type { DataSource, EntityManager } from 'typeorm';
import { DagRunExistsError, InvalidArgumentError, NotFoundError, StateConflictError } from '../../core/errors';
import { resolveRunParams } from '../../core/resolve-run-params';
import type { SerializedDag } from '../../core/serialized-dag';
import { DagRunType } from '../../core/states';
import { timetableFromSpec } from '../../timetables';
import { execSql } from '../sql';
import { runInTransaction } from '../transaction';
import { clearTaskInstanceStates, restartActiveTaskInstances } from './clear-task-instance-states';
import { createDagRun, requeueFinishedDagRuns, RunOwner } from './dag-run-transitions';

export interface ManualDagRunInput {
  dagId: string;
  runId?: string;
  conf?: Record<string, unknown>;
  logicalDate?: Date;
  runType?: 'manual' | 'backfill' | 'test';
  /** For test runs: the process that drives the run itself (failed by a scheduler once it is gone). */
  owner?: RunOwner;
  /** For backfill runs: the interval to cover. */
  dataInterval?: { start: Date; end: Date };
  /** A TriggerDagRunOperator's task instance (`<dag_id>/<run_id>/<task_id>`). */
  triggeredByTask?: string;
}

export interface ManualDagRunSettings {
  now: Date;
  /** `core.dag_run_conf_overrides_params`: conf is checked against the params only when it overrides them. */
  confOverridesParams: boolean;
}

const RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;

/**
 * Create a manual (or backfill, test) DAG run in state `queued`, like `airflow dags trigger`: the
 * scheduler starts it. The one path of the services' trigger and of TriggerDagRunOperator.
 * Throws NotFoundError for an unknown DAG, InvalidArgumentError for a bad run id, conf or logical
 * date, DagRunExistsError when another run has the run id or logical date.
 */
export async function createManualDagRun(
  ds: DataSource,
  input: ManualDagRunInput,
  settings: ManualDagRunSettings,
): Promise<{ runId: string; logicalDate: Date }> {
  const { records } = await execSql<{ data: string; dag_hash: string; is_active: unknown; is_draining: unknown }>(
    ds,
    `SELECT s.data, s.dag_hash, d.is_active, d.is_draining FROM serialized_dag s JOIN dag d ON d.dag_id = s.dag_id
     WHERE s.dag_id = ?`,
    [input.dagId],
  );
  if (!records.length) throw new NotFoundError(`DAG '${input.dagId}' not found`);
  if (records[0].is_active === false || records[0].is_active === 0)
    throw new NotFoundError(`DAG '${input.dagId}' is no longer in the dags folder`);
  const runType = input.runType ?? DagRunType.MANUAL;
  // A draining pause promises that no new run starts: a manual or backfill run would break it.
  if ((records[0].is_draining === true || records[0].is_draining === 1) && runType !== DagRunType.TEST)
    throw new StateConflictError(
      `DAG '${input.dagId}' is draining (paused with --drain): ` +
        `it takes no new run until 'dagctl dags unpause ${input.dagId}'`,
    );
  if (
    input.conf !== undefined &&
    (typeof input.conf !== 'object' || input.conf === null || Array.isArray(input.conf))
  ) {
    throw new InvalidArgumentError('conf must be a JSON object');
  }
  const dag = JSON.parse(records[0].data) as SerializedDag;
  const now = settings.now;
  const logicalDate = input.logicalDate ?? now;
  if (Number.isNaN(logicalDate.getTime())) throw new InvalidArgumentError('logical date is not a valid date');
  const runId = input.runId ?? `${runType}__${logicalDate.toISOString()}`;
  if (!RUN_ID_PATTERN.test(runId) || runId.length > 250) {
    throw new InvalidArgumentError(`run id '${runId}' may contain only letters, digits and _ . ~ : + -`);
  }
  const interval = input.dataInterval ?? timetableFromSpec(dag.schedule).inferManualDataInterval(logicalDate);
  const conf = input.conf ?? {};
  // Conf that fails a param's schema is refused here, before anything is written (CLI exit 2, API 400).
  resolveRunParams({
    dagId: input.dagId,
    defaults: dag.params ?? {},
    specs: dag.paramSpecs ?? {},
    conf,
    confOverridesParams: settings.confOverridesParams,
  });

  const created = await runInTransaction(ds, async (m) => {
    const clash = await execSql<{ run_id: string; logical_date: string }>(
      m,
      `SELECT run_id, logical_date FROM dag_run WHERE dag_id = ? AND (run_id = ? OR logical_date = ?)`,
      [input.dagId, runId, logicalDate.toISOString()],
    );
    if (clash.records.length) {
      const other = clash.records[0];
      throw new DagRunExistsError(
        other.run_id === runId
          ? `DAG '${input.dagId}' already has a run with id '${runId}'`
          : `DAG '${input.dagId}' already has a run at logical date ${logicalDate.toISOString()} ('${other.run_id}')`,
      );
    }
    return createDagRun(
      m,
      {
        dagId: input.dagId,
        runId,
        logicalDate,
        dataIntervalStart: interval.start,
        dataIntervalEnd: interval.end,
        runType,
        externalTrigger: runType === DagRunType.MANUAL,
        conf,
        dagHash: records[0].dag_hash,
        owner: input.owner,
        triggeredByTask: input.triggeredByTask,
        deadline: dag.deadline,
      },
      now,
    );
  });
  // The insert skips a row that clashes on a unique key (ON CONFLICT DO NOTHING): another process
  // created the run between the check and the insert.
  if (!created)
    throw new DagRunExistsError(`run '${runId}' of DAG '${input.dagId}' was created concurrently by another process`);
  return { runId, logicalDate };
}

/**
 * TriggerDagRunOperator's `resetDagRun`: clear every task instance of an existing run (Airflow
 * clears the run's whole DAG at its logical date), so the run runs again. Returns the run's id,
 * or null when the DAG has no such run.
 */
export async function resetDagRunForTrigger(
  ds: DataSource,
  query: { dagId: string; runId?: string; logicalDate?: Date },
  now: Date,
): Promise<string | null> {
  return runInTransaction(ds, async (m: EntityManager) => {
    const found = await execSql<{ run_id: string }>(
      m,
      query.runId
        ? `SELECT run_id FROM dag_run WHERE dag_id = ? AND run_id = ?`
        : `SELECT run_id FROM dag_run WHERE dag_id = ? AND logical_date = ?`,
      [query.dagId, query.runId ?? query.logicalDate?.toISOString() ?? ''],
    );
    if (!found.records.length) return null;
    const runId = found.records[0].run_id;
    const dagRows = await execSql<{ data: string }>(m, `SELECT data FROM serialized_dag WHERE dag_id = ?`, [
      query.dagId,
    ]);
    const dag = dagRows.records.length ? (JSON.parse(dagRows.records[0].data) as SerializedDag) : null;
    const tasks = await execSql<{ task_id: string }>(
      m,
      `SELECT DISTINCT task_id FROM task_instance WHERE dag_id = ? AND run_id = ?`,
      [query.dagId, runId],
    );
    for (const { task_id: taskId } of tasks.records) {
      const retries = dag?.tasks.find((t) => t.taskId === taskId)?.retries;
      const cleared = { dagId: query.dagId, taskId, runIds: [runId], retries };
      await clearTaskInstanceStates(m, cleared, now);
      await restartActiveTaskInstances(m, cleared, now);
    }
    await requeueFinishedDagRuns(m, query.dagId, [runId], now);
    return runId;
  });
}
