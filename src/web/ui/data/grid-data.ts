import { In, type DataSource } from 'typeorm';
import type { SerializedDag } from '../../../core/serialized-dag';
import { DagRunEntity, TaskInstanceEntity } from '../../../db/entities';
import { toIso } from '../../../db/column-types';
import { latestDagRuns } from '../../../db/reads/dag-run-reads';
import { readRunDeadlines } from '../../../db/reads/deadline-reads';

export interface GridCell {
  state: string | null;
  tryNumber: number;
  /** Held by `tasks hold`: shown with a hold mark. */
  held: boolean;
}

export interface GridRun {
  runId: string;
  state: string;
  runType: string;
  logicalDate: string | null;
  startDate: string | null;
  endDate: string | null;
  /** How late a scheduled run started (scheduler.late_threshold); null: on time. */
  lateSeconds: number | null;
  /** The run's deadline (deadline alerts) passed before it finished. */
  deadlineMissed: boolean;
  cells: Record<string, GridCell>;
}

/** Runs × tasks for the grid view; the same JSON feeds the page and its live refresh. */
export interface GridData {
  dagId: string;
  tasks: Array<{ taskId: string; taskGroup: string | null }>;
  /** Oldest first, like Airflow's grid (newest on the right). */
  runs: GridRun[];
}

export async function loadRecentRuns(dataSource: DataSource, dagId: string, limit: number): Promise<DagRunEntity[]> {
  return latestDagRuns(dataSource, dagId, limit);
}

export async function loadTaskInstances(
  dataSource: DataSource,
  dagId: string,
  runIds: string[],
): Promise<TaskInstanceEntity[]> {
  if (runIds.length === 0) return [];
  return dataSource.getRepository(TaskInstanceEntity).find({ where: { dagId, runId: In(runIds) } });
}

export async function loadGridData(dataSource: DataSource, dag: SerializedDag, limit = 25): Promise<GridData> {
  const runs = await loadRecentRuns(dataSource, dag.dagId, limit);
  const tis = await loadTaskInstances(
    dataSource,
    dag.dagId,
    runs.map((run) => run.runId),
  );
  const deadlines = await readRunDeadlines(
    dataSource,
    dag.dagId,
    runs.map((run) => run.runId),
  );
  const cellsByRun = new Map<string, Record<string, GridCell>>();
  for (const ti of tis) {
    const cells = cellsByRun.get(ti.runId) ?? {};
    cells[ti.taskId] = { state: ti.state, tryNumber: ti.tryNumber, held: ti.held };
    cellsByRun.set(ti.runId, cells);
  }
  return {
    dagId: dag.dagId,
    tasks: dag.tasks.map((task) => ({ taskId: task.taskId, taskGroup: task.taskGroup ?? null })),
    runs: runs.map((run) => ({
      runId: run.runId,
      state: run.state,
      runType: run.runType,
      logicalDate: toIso(run.logicalDate),
      startDate: toIso(run.startDate),
      endDate: toIso(run.endDate),
      lateSeconds: run.lateSeconds ?? null,
      deadlineMissed: Boolean(deadlines.get(run.runId)?.missedAt),
      cells: cellsByRun.get(run.runId) ?? {},
    })),
  };
}
