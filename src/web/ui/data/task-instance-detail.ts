import { MoreThanOrEqual, type DataSource } from 'typeorm';
import { NotFoundError } from '../../../core/errors';
import type { SerializedDag, SerializedTask } from '../../../core/serialized-dag';
import { DagRunEntity, TaskInstanceEntity, TaskInstanceHistoryEntity, XComEntity } from '../../../db/entities';
import { findDagRun } from '../../../db/reads/dag-run-reads';
import { databaseXComBackend } from '../../../runner/xcom/database-xcom-backend';
import { storedXComText } from '../../../runner/xcom/stored-xcom-text';
import type { XComBackend } from '../../../runner/xcom/xcom-backend';

export interface AttemptRow {
  tryNumber: number;
  state: string | null;
  startDate: Date | null;
  endDate: Date | null;
  duration: number | null;
  hostname: string | null;
  endReason: string | null;
}

export interface TaskInstanceDetail {
  task: SerializedTask;
  run: DagRunEntity;
  ti: TaskInstanceEntity | null;
  /** Every try that has a log or a history row, oldest first. */
  attempts: AttemptRow[];
  /** Rendered values when the task ran, else the raw templates from the DAG file. */
  templateFields: Array<{ name: string; value: unknown; rendered: boolean }>;
  xcoms: Array<{ key: string; value: string | null; timestamp: Date | null }>;
  /** Which task instance of a mapped task; -1 for an unmapped one. */
  mapIndex: number;
  /** For a mapped task: all its task instances in this run, by map index (the page lists them). */
  mappedInstances: Array<{ mapIndex: number; state: string | null; tryNumber: number }>;
}

export async function loadTaskInstanceDetail(
  dataSource: DataSource,
  dag: SerializedDag,
  runId: string,
  taskId: string,
  /** Shows values kept outside the row (core.xcom_backend); default: the row's own value. */
  xcomBackend: XComBackend = databaseXComBackend,
  mapIndex = -1,
): Promise<TaskInstanceDetail> {
  const task = dag.tasks.find((candidate) => candidate.taskId === taskId);
  if (!task) throw new NotFoundError(`task '${taskId}' not found in DAG '${dag.dagId}'`);
  const run = await findDagRun(dataSource, dag.dagId, runId);
  if (!run) throw new NotFoundError(`DAG run '${runId}' of DAG '${dag.dagId}' not found`);
  const ti = await dataSource
    .getRepository(TaskInstanceEntity)
    .findOneBy({ dagId: dag.dagId, runId, taskId, mapIndex });
  const history = await dataSource.getRepository(TaskInstanceHistoryEntity).find({
    where: { dagId: dag.dagId, runId, taskId, mapIndex },
    order: { tryNumber: 'ASC' },
  });
  const attempts: AttemptRow[] = history.map((row) => ({
    tryNumber: row.tryNumber,
    state: row.state,
    startDate: row.startDate,
    endDate: row.endDate,
    duration: row.duration,
    hostname: row.hostname,
    endReason: row.endReason,
  }));
  if (ti && ti.tryNumber > 0 && !attempts.some((a) => a.tryNumber === ti.tryNumber)) {
    attempts.push({
      tryNumber: ti.tryNumber,
      state: ti.state,
      startDate: ti.startDate,
      endDate: ti.endDate,
      duration: ti.duration,
      hostname: ti.hostname,
      endReason: ti.endReason,
    });
  }
  const rendered = ti?.renderedFields ?? null;
  const templateFields = Object.entries(rendered ?? task.templateFields ?? {}).map(([name, value]) => ({
    name,
    value,
    rendered: rendered !== null,
  }));
  const xcomRows = await dataSource
    .getRepository(XComEntity)
    .find({ where: { dagId: dag.dagId, runId, taskId, mapIndex }, order: { key: 'ASC' } });
  const mappedInstances = task.mapped ? await loadMappedInstances(dataSource, dag.dagId, runId, taskId) : [];
  return {
    task,
    mapIndex,
    mappedInstances,
    run,
    ti,
    attempts: attempts.sort((a, b) => a.tryNumber - b.tryNumber),
    templateFields,
    xcoms: xcomRows.map((row) => ({
      key: row.key,
      value: storedXComText(xcomBackend, row.value),
      timestamp: row.timestamp,
    })),
  };
}

/** The expanded task instances of a mapped task in one run (map index ≥ 0), by map index. */
export async function loadMappedInstances(
  dataSource: DataSource,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<TaskInstanceDetail['mappedInstances']> {
  const rows = await dataSource
    .getRepository(TaskInstanceEntity)
    .find({ where: { dagId, runId, taskId, mapIndex: MoreThanOrEqual(0) }, order: { mapIndex: 'ASC' } });
  return rows.map((ti) => ({ mapIndex: ti.mapIndex, state: ti.state, tryNumber: ti.tryNumber }));
}
