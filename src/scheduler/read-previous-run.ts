import type { DataSource, EntityManager } from 'typeorm';
import type { TaskStateOrNone } from '../core/states';
import { execSql } from '../db/sql';
import { mappedTaskState } from './mapped-state';

/** The previous run as depends_on_past reads it. */
export interface PreviousRun {
  runId: string;
  /** Each task's state in that run; an expanded mapped task's as a whole (mappedTaskState). */
  states: Map<string, TaskStateOrNone>;
  /** Expanded mapped tasks of that run: map index → state (depends_on_past per map index). */
  mapped: Map<string, Map<number, TaskStateOrNone>>;
}

/**
 * depends_on_past reads this: the DAG's run with the latest logical date before this run's, and
 * the states of its task instances (of `taskIds` only, when given); null when there is none.
 */
export async function readPreviousRun(
  db: DataSource | EntityManager,
  run: { dagId: string; id: number },
  taskIds?: string[],
): Promise<PreviousRun | null> {
  const { records } = await execSql<{ run_id: string }>(
    db,
    'SELECT run_id FROM dag_run WHERE dag_id = ? ' +
      'AND logical_date < (SELECT logical_date FROM dag_run WHERE id = ?) ORDER BY logical_date DESC LIMIT 1',
    [run.dagId, run.id],
  );
  if (!records.length) return null;
  const runId = records[0].run_id;
  if (taskIds && taskIds.length === 0) return { runId, states: new Map(), mapped: new Map() };
  const only = taskIds ? ` AND task_id IN (${taskIds.map(() => '?').join(', ')})` : '';
  const { records: tis } = await execSql<{ task_id: string; map_index: number | string; state: TaskStateOrNone }>(
    db,
    `SELECT task_id, map_index, state FROM task_instance WHERE dag_id = ? AND run_id = ?${only}`,
    [run.dagId, runId, ...(taskIds ?? [])],
  );
  const states = new Map<string, TaskStateOrNone>();
  const mapped = new Map<string, Map<number, TaskStateOrNone>>();
  for (const ti of tis) {
    const mapIndex = Number(ti.map_index);
    if (mapIndex < 0) {
      states.set(ti.task_id, ti.state);
      continue;
    }
    let instances = mapped.get(ti.task_id);
    if (!instances) mapped.set(ti.task_id, (instances = new Map<number, TaskStateOrNone>()));
    instances.set(mapIndex, ti.state);
  }
  for (const [taskId, instances] of mapped) states.set(taskId, mappedTaskState(instances.values()));
  return { runId, states, mapped };
}
