import type { DataSource, EntityManager } from 'typeorm';
import type { PrevSuccess } from '../../core/executor';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../sql';

const iso = (value: string | Date | null): string | null => (value ? new Date(value).toISOString() : null);

/**
 * Airflow's previous successful run for the prev_*_success template names: the DAG's latest run
 * in state success whose logical date is before `logicalDate`, with the start of this task's
 * instance in it. Null when there is none.
 */
export async function readPrevSuccess(
  db: DataSource | EntityManager,
  key: TaskInstanceKey,
  logicalDate: string,
): Promise<PrevSuccess | null> {
  const { records } = await execSql<{
    data_interval_start: string | null;
    data_interval_end: string | null;
    start_date: string | null;
  }>(
    db,
    `SELECT r.data_interval_start, r.data_interval_end, ti.start_date FROM dag_run r
       LEFT JOIN task_instance ti
         ON ti.dag_id = r.dag_id AND ti.run_id = r.run_id AND ti.task_id = ? AND ti.map_index = ?
     WHERE r.dag_id = ? AND r.state = 'success' AND r.logical_date < ?
     ORDER BY r.logical_date DESC
     LIMIT 1`,
    [key.taskId, key.mapIndex, key.dagId, new Date(logicalDate).toISOString()],
  );
  const row = records[0];
  if (!row) return null;
  return {
    dataIntervalStart: iso(row.data_interval_start),
    dataIntervalEnd: iso(row.data_interval_end),
    startDate: iso(row.start_date),
  };
}
