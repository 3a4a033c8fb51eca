import type { DataSource } from 'typeorm';
import { JobEntity } from '../entities';

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
