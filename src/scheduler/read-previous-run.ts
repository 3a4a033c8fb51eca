import type { DataSource, EntityManager } from 'typeorm';
import type { TaskStateOrNone } from '../core/states';
import { execSql } from '../db/sql';

/**
 * depends_on_past reads this: the DAG's run with the latest logical date before this run's, and
 * the states of its task instances (of `taskIds` only, when given); null when there is none.
 */
export async function readPreviousRun(
  db: DataSource | EntityManager,
  run: { dagId: string; id: number },
  taskIds?: string[],
): Promise<{ runId: string; states: Map<string, TaskStateOrNone> } | null> {
  const { records } = await execSql<{ run_id: string }>(
    db,
    'SELECT run_id FROM dag_run WHERE dag_id = ? ' +
      'AND logical_date < (SELECT logical_date FROM dag_run WHERE id = ?) ORDER BY logical_date DESC LIMIT 1',
    [run.dagId, run.id],
  );
  if (!records.length) return null;
  const only = taskIds ? ` AND task_id IN (${taskIds.map(() => '?').join(', ')})` : '';
  if (taskIds && taskIds.length === 0) return { runId: records[0].run_id, states: new Map() };
  const { records: tis } = await execSql<{ task_id: string; state: TaskStateOrNone }>(
    db,
    `SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ? AND map_index = -1${only}`,
    [run.dagId, records[0].run_id, ...(taskIds ?? [])],
  );
  return { runId: records[0].run_id, states: new Map(tis.map((t) => [t.task_id, t.state])) };
}
