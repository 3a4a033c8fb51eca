import type { DataSource, EntityManager } from 'typeorm';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { chunk, execSql } from '../sql';

/**
 * Remove what task instances pushed: a try starts with none of its task instance's XComs (as
 * Airflow's clear_xcom_data at the start of a try), so a re-run that pushes nothing leaves nothing
 * stale for downstream tasks to pull.
 */
export async function clearXComs(m: DataSource | EntityManager, keys: readonly TaskInstanceKey[]): Promise<void> {
  const one = '(dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?)';
  for (const part of chunk([...keys], 200)) {
    await execSql(
      m,
      `DELETE FROM xcom WHERE ${part.map(() => one).join(' OR ')}`,
      part.flatMap((k) => [k.dagId, k.runId, k.taskId, k.mapIndex]),
    );
  }
}

/** Airflow's clear removes the XComs of the cleared task instances (all map indexes of the task). */
export async function clearTaskXComs(
  m: EntityManager,
  task: { dagId: string; taskId: string; runIds: string[] },
): Promise<void> {
  for (const runIds of chunk(task.runIds, 400)) {
    await execSql(
      m,
      `DELETE FROM xcom WHERE dag_id = ? AND task_id = ? AND run_id IN (${runIds.map(() => '?').join(', ')})`,
      [task.dagId, task.taskId, ...runIds],
    );
    await execSql(
      m,
      `DELETE FROM task_map WHERE dag_id = ? AND task_id = ? AND run_id IN (${runIds.map(() => '?').join(', ')})`,
      [task.dagId, task.taskId, ...runIds],
    );
  }
}
