import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../app/app-context';
import { NotFoundError } from '../core/errors';
import { resolveRunParams } from '../core/resolve-run-params';
import type { TaskOutcome, TaskWorkload } from '../core/executor';
import { runTask } from '../runner/run-task';
import { DatabaseVariableSource } from '../runner/variable-source';
import { timetableFromSpec } from '../timetables';
import { taskWorkloadFields } from './task-workload-fields';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { extraSensitiveWords } from '../core/sensitive-names';

export interface TestTaskInput {
  dagId: string;
  taskId: string;
  logicalDate: Date;
  conf?: Record<string, unknown>;
  /**
   * `-t/--task-params`: merged over the DAG's params for this test (the run's conf, if any, still
   * wins, as in Airflow); checked against the params' schemas like a trigger's conf.
   */
  taskParams?: Record<string, unknown>;
  /** One map index of a mapped task (-1: not mapped; a mapped task refuses it with a reason). */
  mapIndex?: number;
}

/**
 * `dagctl tasks test`: run one task for a logical date in this process, printing its output,
 * without a DAG run and without recording any state, XCom or log in dagctl's folders.
 */
export async function testTask(ctx: AppContext, input: TestTaskInput): Promise<TaskOutcome> {
  const stored = await requireSerializedDag(ctx.dataSource, input.dagId);
  const task = stored.dag.tasks.find((t) => t.taskId === input.taskId);
  if (!task) throw new NotFoundError(`task '${input.taskId}' not found in DAG '${input.dagId}'`);
  if (input.taskParams) {
    resolveRunParams({
      dagId: input.dagId,
      defaults: stored.dag.params ?? {},
      specs: stored.dag.paramSpecs ?? {},
      conf: input.conf ?? {},
      confOverridesParams: ctx.config.core.dag_run_conf_overrides_params,
      taskParams: input.taskParams,
    });
  }
  const interval = timetableFromSpec(stored.dag.schedule).inferManualDataInterval(input.logicalDate);
  const workload: TaskWorkload = {
    key: {
      dagId: input.dagId,
      runId: `test__${input.logicalDate.toISOString()}`,
      taskId: input.taskId,
      mapIndex: input.mapIndex ?? -1,
    },
    tryNumber: 1,
    ...taskWorkloadFields(stored, task),
    logicalDate: input.logicalDate.toISOString(),
    dataIntervalStart: interval.start.toISOString(),
    dataIntervalEnd: interval.end.toISOString(),
    runType: 'manual',
    conf: input.conf ?? {},
    maxTries: task.retries,
    xcoms: {},
    firstRescheduleDate: null,
  };
  // The runner always writes an attempt log: keep it out of the real log folder.
  const logFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-task-test-'));
  try {
    return await runTask(workload, {
      baseLogFolder: logFolder,
      logMaxBytes: ctx.config.logging.task_log_max_bytes,
      confOverridesParams: ctx.config.core.dag_run_conf_overrides_params,
      taskParams: input.taskParams,
      sensitiveWords: extraSensitiveWords(ctx.config.core.sensitive_var_conn_names),
      variables: new DatabaseVariableSource(async () => ctx.dataSource),
      output: 'tee',
    });
  } finally {
    fs.rmSync(logFolder, { recursive: true, force: true });
  }
}
