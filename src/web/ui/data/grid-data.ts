import { In, type DataSource } from 'typeorm';
import type { SerializedDag } from '../../../core/serialized-dag';
import { DagRunEntity, TaskInstanceEntity } from '../../../db/entities';
import { toIso } from '../../../db/column-types';
import { latestDagRuns } from '../../../db/reads/dag-run-reads';
import { readRunDeadlines } from '../../../db/reads/deadline-reads';
import { aggregateState } from './aggregate-state';
import { countsText, runAxisLabel, runTooltip, type StateCounts } from './grid-labels';
import { buildGridRows, groupChain, type GridRow } from './grid-rows';
import { barPercents, runDurationSeconds } from './run-bars';

export type { StateCounts } from './grid-labels';

export interface GridCell {
  /** For a mapped task: the most urgent state of its instances. */
  state: string | null;
  tryNumber: number;
  /** Held by `tasks hold`: shown with a hold mark. */
  held: boolean;
  /** Present for an expanded mapped task: its instance count and their states ('none': no state yet). */
  mapped?: { total: number; counts: StateCounts; text: string };
}

export interface GridRun {
  runId: string;
  state: string;
  runType: string;
  logicalDate: string | null;
  startDate: string | null;
  endDate: string | null;
  /** Seconds from start to end (to now while running); null before it starts. */
  durationSeconds: number | null;
  /** Bar height: the duration relative to the longest run shown, in percent. */
  barPercent: number;
  /** The date under its bar ('MM-DD HH:MM') and the bar's hover text: the page and its live refresh show the same. */
  axisLabel: string;
  tooltip: string;
  /** How late a scheduled run started (scheduler.late_threshold); null: on time. */
  lateSeconds: number | null;
  /** The run's deadline (deadline alerts) passed before it finished. */
  deadlineMissed: boolean;
  cells: Record<string, GridCell>;
  /** Task group path → the most urgent state of its tasks. */
  groups: Record<string, { state: string | null }>;
}

/** Runs × tasks for the grid view; the same JSON feeds the page and its live refresh. */
export interface GridData {
  dagId: string;
  tasks: Array<{ taskId: string; taskGroup: string | null }>;
  /** Group and task rows, top to bottom. */
  rows: GridRow[];
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

type TiState = Pick<TaskInstanceEntity, 'taskId' | 'mapIndex' | 'state' | 'tryNumber' | 'held'>;

/** One run's cells: a mapped task's instances (map index ≥ 0) fold into one cell with counts. */
export function cellsOf(tis: TiState[]): Record<string, GridCell> {
  const byTask = new Map<string, TiState[]>();
  for (const ti of tis) byTask.set(ti.taskId, [...(byTask.get(ti.taskId) ?? []), ti]);
  const cells: Record<string, GridCell> = {};
  for (const [taskId, rows] of byTask) {
    const expanded = rows.filter((ti) => ti.mapIndex >= 0);
    if (expanded.length === 0) {
      const ti = rows[0];
      cells[taskId] = { state: ti.state, tryNumber: ti.tryNumber, held: ti.held };
      continue;
    }
    const counts: StateCounts = {};
    for (const ti of expanded) counts[ti.state ?? 'none'] = (counts[ti.state ?? 'none'] ?? 0) + 1;
    cells[taskId] = {
      state: aggregateState(expanded.map((ti) => ti.state)),
      tryNumber: Math.max(...expanded.map((ti) => ti.tryNumber)),
      held: expanded.some((ti) => ti.held),
      mapped: { total: expanded.length, counts, text: countsText(counts) },
    };
  }
  return cells;
}

/** A group's state: the most urgent among its tasks' (nested groups included). */
export function groupStatesOf(rows: GridRow[], cells: Record<string, GridCell>): GridRun['groups'] {
  const members = new Map<string, Array<string | null>>();
  for (const row of rows) {
    if (row.kind === 'group') members.set(row.id, members.get(row.id) ?? []);
    if (row.kind !== 'task') continue;
    for (const group of groupChain(row.parent))
      members.set(group, [...(members.get(group) ?? []), cells[row.id]?.state ?? null]);
  }
  const groups: GridRun['groups'] = {};
  for (const [path, states] of members) groups[path] = { state: aggregateState(states) };
  return groups;
}

const roundMs = (seconds: number | null): number | null =>
  seconds === null ? null : Math.round(seconds * 1000) / 1000;

export async function loadGridData(
  dataSource: DataSource,
  dag: SerializedDag,
  limit = 25,
  now: Date = new Date(),
): Promise<GridData> {
  const runs = await loadRecentRuns(dataSource, dag.dagId, limit);
  const runIds = runs.map((run) => run.runId);
  const tis = await loadTaskInstances(dataSource, dag.dagId, runIds);
  const deadlines = await readRunDeadlines(dataSource, dag.dagId, runIds);
  const tisByRun = new Map<string, TaskInstanceEntity[]>();
  for (const ti of tis) tisByRun.set(ti.runId, [...(tisByRun.get(ti.runId) ?? []), ti]);
  const rows = buildGridRows(dag.tasks);
  const durations = runs.map((run) => runDurationSeconds(run.startDate, run.endDate, now));
  const bars = barPercents(durations);
  return {
    dagId: dag.dagId,
    tasks: dag.tasks.map((task) => ({ taskId: task.taskId, taskGroup: task.taskGroup ?? null })),
    rows,
    runs: runs.map((run, i) => {
      const cells = cellsOf(tisByRun.get(run.runId) ?? []);
      const gridRun: Omit<GridRun, 'axisLabel' | 'tooltip'> = {
        runId: run.runId,
        state: run.state,
        runType: run.runType,
        logicalDate: toIso(run.logicalDate),
        startDate: toIso(run.startDate),
        endDate: toIso(run.endDate),
        durationSeconds: roundMs(durations[i]),
        barPercent: bars[i],
        lateSeconds: run.lateSeconds ?? null,
        deadlineMissed: Boolean(deadlines.get(run.runId)?.missedAt),
        cells,
        groups: groupStatesOf(rows, cells),
      };
      return { ...gridRun, axisLabel: runAxisLabel(gridRun), tooltip: runTooltip(gridRun) };
    }),
  };
}
