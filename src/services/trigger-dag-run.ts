import type { AppContext } from '../app/app-context';
import { DagRunExistsError, InvalidArgumentError, NotFoundError } from '../core/errors';
import { resolveRunParams } from '../core/resolve-run-params';
import { recordAuditEvent } from './audit-log';
import type { SerializedDag } from '../core/serialized-dag';
import { DagRunType } from '../core/states';
import { DagRunEntity } from '../db/entities';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { createDagRun, RunOwner } from '../db/transitions/dag-run-transitions';
import { notifySchedulers } from '../scheduler/external-change-watcher';
import { timetableFromSpec } from '../timetables';

export interface TriggerDagRunInput {
  dagId: string;
  runId?: string;
  conf?: Record<string, unknown>;
  logicalDate?: Date;
  runType?: 'manual' | 'backfill' | 'test';
  /** For test runs: the process that drives the run itself (failed by a scheduler once it is gone). */
  owner?: RunOwner;
  /** For backfill runs: the interval to cover. */
  dataInterval?: { start: Date; end: Date };
}

const RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;

/**
 * Create a manual (or backfill) DAG run in state `queued`, like `airflow dags trigger`: the
 * scheduler starts it. Throws NotFoundError for an unknown DAG and InvalidArgumentError for a
 * bad run id, conf or a logical date that another run already has.
 */
export async function triggerDagRun(ctx: AppContext, input: TriggerDagRunInput): Promise<DagRunEntity> {
  const ds = ctx.dataSource;
  const { records } = await execSql<{ data: string; dag_hash: string; is_active: unknown }>(
    ds,
    `SELECT s.data, s.dag_hash, d.is_active FROM serialized_dag s JOIN dag d ON d.dag_id = s.dag_id WHERE s.dag_id = ?`,
    [input.dagId],
  );
  if (!records.length) throw new NotFoundError(`DAG '${input.dagId}' not found`);
  if (records[0].is_active === false || records[0].is_active === 0)
    throw new NotFoundError(`DAG '${input.dagId}' is no longer in the dags folder`);
  if (
    input.conf !== undefined &&
    (typeof input.conf !== 'object' || input.conf === null || Array.isArray(input.conf))
  ) {
    throw new InvalidArgumentError('conf must be a JSON object');
  }
  const dag = JSON.parse(records[0].data) as SerializedDag;
  const now = ctx.clock.now();
  const logicalDate = input.logicalDate ?? now;
  if (Number.isNaN(logicalDate.getTime())) throw new InvalidArgumentError('logical date is not a valid date');
  const runType = input.runType ?? DagRunType.MANUAL;
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
    confOverridesParams: ctx.config.core.dag_run_conf_overrides_params,
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
    const inserted = await createDagRun(
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
      },
      now,
    );
    if (inserted)
      await recordAuditEvent(m, ctx.clock, {
        event: 'trigger',
        dagId: input.dagId,
        runId,
        actor: ctx.actor,
        extra: { run_type: runType, logical_date: logicalDate.toISOString(), conf },
      });
    return inserted;
  });
  // The insert skips a row that clashes on a unique key (ON CONFLICT DO NOTHING): another process
  // created the run between the check and the insert.
  if (!created)
    throw new DagRunExistsError(`run '${runId}' of DAG '${input.dagId}' was created concurrently by another process`);
  await notifySchedulers(ds);
  return ds.getRepository(DagRunEntity).findOneByOrFail({ dagId: input.dagId, runId });
}
