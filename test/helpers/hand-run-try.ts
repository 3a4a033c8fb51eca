import type { DataSource } from 'typeorm';
import { execSql } from '../../src/db/sql';

/** A task instance as a hand run (`dagctl tasks run`) leaves it, with the LocalTaskJob it names. */
export interface HandRunTry {
  state: string | null;
  try_number: number;
  job_id: number | null;
  job_type: string | null;
  job_state: string | null;
  /** The hand run's process id. */
  job_pid: number | null;
  started: string | null;
  heartbeat: string | null;
}

/** The task instance `dagId.taskId` of `runId` and its hand run's job row (undefined: no such row). */
export async function readHandRunTry(
  ds: DataSource,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<HandRunTry | undefined> {
  const { records } = await execSql<HandRunTry>(
    ds,
    `SELECT ti.state, ti.try_number, ti.queued_by_job_id AS job_id, j.job_type, j.state AS job_state, j.pid AS job_pid,
            j.start_date AS started, j.latest_heartbeat AS heartbeat
     FROM task_instance ti LEFT JOIN job j ON j.id = ti.queued_by_job_id
     WHERE ti.dag_id = ? AND ti.run_id = ? AND ti.task_id = ?`,
    [dagId, runId, taskId],
  );
  return records[0];
}
