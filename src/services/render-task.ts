import { triggeringEventsOfRun } from '../db/reads/dataset-reads';
import type { AppContext } from '../app/app-context';
import { errorMessage, NotFoundError, UserError } from '../core/errors';
import type { TaskWorkload } from '../core/executor';
import { findDagRun } from '../db/reads/dag-run-reads';
import { readPrevSuccess } from '../db/reads/prev-success-reads';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { groupRunXComs, readRunXComRows } from '../db/reads/xcom-reads';
import { DagRunEntity, TaskInstanceEntity } from '../db/entities';
import { renderTaskTemplates } from '../runner/run-task';
import { DatabaseVariableSource } from '../runner/variable-source';
import { xcomSettingsFromConfig } from '../runner/xcom/xcom-settings';
import { timetableFromSpec } from '../timetables';
import { taskWorkloadFields } from './task-workload-fields';
import { extraSensitiveWords } from '../core/sensitive-names';

export interface RenderTaskInput {
  dagId: string;
  taskId: string;
  /** An existing run: its logical date, interval, conf and XComs. */
  runId?: string;
  /** Without runId: the run of this logical date if there is one, else a manual run that was never created. */
  logicalDate?: Date;
}

export interface RenderTaskResult {
  runId: string;
  /** Field name → rendered value, in the task's templateFields order. */
  fields: Record<string, unknown>;
}

/**
 * `dagctl tasks render`: a task's templated fields as a try of it would see them, without running
 * anything or recording anything (as Airflow's `tasks render`). A template error is a UserError
 * naming the field and the name.
 */
export async function renderTask(ctx: AppContext, input: RenderTaskInput): Promise<RenderTaskResult> {
  const ds = ctx.dataSource;
  const stored = await requireSerializedDag(ds, input.dagId);
  const task = stored.dag.tasks.find((t) => t.taskId === input.taskId);
  if (!task) throw new NotFoundError(`task '${input.taskId}' not found in DAG '${input.dagId}'`);

  let run: DagRunEntity | null = null;
  if (input.runId !== undefined) {
    run = await findDagRun(ds, input.dagId, input.runId);
    if (!run) throw new NotFoundError(`DAG run '${input.runId}' of DAG '${input.dagId}' not found`);
  } else if (input.logicalDate) {
    run = await ds.getRepository(DagRunEntity).findOneBy({ dagId: input.dagId, logicalDate: input.logicalDate });
  }
  const logicalDate = run?.logicalDate ?? input.logicalDate ?? ctx.clock.now();
  const interval = run
    ? { start: run.dataIntervalStart, end: run.dataIntervalEnd }
    : timetableFromSpec(stored.dag.schedule).inferManualDataInterval(logicalDate);
  const runId = run?.runId ?? `manual__${logicalDate.toISOString()}`;
  const key = { dagId: input.dagId, runId, taskId: input.taskId, mapIndex: -1 };
  const ti = run ? await ds.getRepository(TaskInstanceEntity).findOneBy(key) : null;

  const workload: TaskWorkload = {
    key,
    tryNumber: Math.max(ti?.tryNumber ?? 1, 1),
    ...taskWorkloadFields(stored, task),
    logicalDate: logicalDate.toISOString(),
    dataIntervalStart: interval.start ? interval.start.toISOString() : null,
    dataIntervalEnd: interval.end ? interval.end.toISOString() : null,
    runType: run?.runType ?? 'manual',
    conf: run?.conf ?? {},
    maxTries: ti?.maxTries ?? task.retries,
    xcoms: run ? groupRunXComs(await readRunXComRows(ds, input.dagId, runId)) : {},
    firstRescheduleDate: null,
    prevSuccess: await readPrevSuccess(ds, key, logicalDate.toISOString()),
    triggeringDatasetEvents: run ? await triggeringEventsOfRun(ds, { ...key, runType: run.runType }) : [],
  };
  try {
    const fields = await renderTaskTemplates(workload, {
      variables: new DatabaseVariableSource(async () => ds),
      xcom: xcomSettingsFromConfig(ctx.config),
      sensitiveWords: extraSensitiveWords(ctx.config.core.sensitive_var_conn_names),
    });
    return { runId, fields };
  } catch (err) {
    throw new UserError(`cannot render ${input.dagId}.${input.taskId}: ${errorMessage(err)}`);
  }
}
