import type { DataSource } from 'typeorm';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { JobEntity } from '../entities';
import { execSql } from '../sql';

export interface JobFilter {
  jobType?: string;
  hostname?: string;
  state?: string;
  limit?: number;
}

/** Jobs (schedulers, workers, DAG processors, hand runs), latest heartbeat first: `dags list-jobs`, `jobs check`. */
export async function findJobs(ds: DataSource, filter: JobFilter = {}): Promise<JobEntity[]> {
  const query = ds.getRepository(JobEntity).createQueryBuilder('j');
  if (filter.jobType) query.andWhere('j.job_type = :jobType', { jobType: filter.jobType });
  if (filter.hostname) query.andWhere('j.hostname = :hostname', { hostname: filter.hostname });
  if (filter.state) query.andWhere('j.state = :state', { state: filter.state });
  query.orderBy('j.latest_heartbeat', 'DESC').addOrderBy('j.id', 'DESC');
  if (filter.limit !== undefined) query.take(filter.limit);
  return query.getMany();
}

/**
 * Whether the try of a hand run still belongs to it: the task instance is running this try and
 * names this LocalTaskJob. False once a scheduler ended it (lost), a user cleared or set its state,
 * or another try took it — the hand run must then stop its task (hand-run-heartbeat-main.ts).
 */
export async function handRunOwnsTry(
  ds: DataSource,
  jobId: number,
  key: TaskInstanceKey,
  tryNumber: number,
): Promise<boolean> {
  const { records } = await execSql(
    ds,
    `SELECT 1 AS owned FROM task_instance
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?
       AND try_number = ? AND queued_by_job_id = ? AND state = 'running'`,
    [key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber, jobId],
  );
  return records.length > 0;
}
