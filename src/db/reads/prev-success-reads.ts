import type { DataSource, EntityManager } from 'typeorm';
import type { PrevSuccess } from '../../core/executor';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { chunk, execSql } from '../sql';

/** The DAG's latest successful run before a logical date: Airflow's "previous successful run". */
export interface PrevSuccessRun {
  runId: string;
  dataIntervalStart: string | null;
  dataIntervalEnd: string | null;
}

const iso = (value: string | Date | null): string | null => (value ? new Date(value).toISOString() : null);

/** The DAG's latest run in state success whose logical date is before `logicalDate`, or null. */
export async function readPrevSuccessRun(
  db: DataSource | EntityManager,
  dagId: string,
  logicalDate: string,
): Promise<PrevSuccessRun | null> {
  const { records } = await execSql<{
    run_id: string;
    data_interval_start: string | null;
    data_interval_end: string | null;
  }>(
    db,
    `SELECT run_id, data_interval_start, data_interval_end FROM dag_run
     WHERE dag_id = ? AND state = 'success' AND logical_date < ?
     ORDER BY logical_date DESC
     LIMIT 1`,
    [dagId, new Date(logicalDate).toISOString()],
  );
  const row = records[0];
  if (!row) return null;
  return {
    runId: row.run_id,
    dataIntervalStart: iso(row.data_interval_start),
    dataIntervalEnd: iso(row.data_interval_end),
  };
}

/** `task_id \0 map_index` → start date of that task instance in `run` (absent: no such instance). */
export async function readStartDatesInRun(
  db: DataSource | EntityManager,
  dagId: string,
  run: PrevSuccessRun,
  taskIds: string[],
): Promise<Map<string, string | null>> {
  const starts = new Map<string, string | null>();
  for (const ids of chunk([...new Set(taskIds)], 500)) {
    const { records } = await execSql<{ task_id: string; map_index: number; start_date: string | null }>(
      db,
      `SELECT task_id, map_index, start_date FROM task_instance
       WHERE dag_id = ? AND run_id = ? AND task_id IN (${ids.map(() => '?').join(', ')})`,
      [dagId, run.runId, ...ids],
    );
    for (const r of records) starts.set(`${r.task_id}\u0000${Number(r.map_index)}`, iso(r.start_date));
  }
  return starts;
}

/** The prev_*_success template values of one task instance, from its previous successful run. */
export function prevSuccessOf(
  run: PrevSuccessRun | null,
  starts: Map<string, string | null>,
  key: Pick<TaskInstanceKey, 'taskId' | 'mapIndex'>,
): PrevSuccess | null {
  if (!run) return null;
  return {
    dataIntervalStart: run.dataIntervalStart,
    dataIntervalEnd: run.dataIntervalEnd,
    startDate: starts.get(`${key.taskId}\u0000${key.mapIndex}`) ?? null,
  };
}

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
  const run = await readPrevSuccessRun(db, key.dagId, logicalDate);
  const starts = run ? await readStartDatesInRun(db, key.dagId, run, [key.taskId]) : new Map<string, string | null>();
  return prevSuccessOf(run, starts, key);
}
