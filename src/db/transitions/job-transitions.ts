import os from 'node:os';
import type { DataSource } from 'typeorm';
import { isProcessAlive } from '../../core/process-table';
import { execSql } from '../sql';

/**
 * What a job row stands for. `LocalTaskJob` (Airflow's name) is one hand run (`dagctl tasks run`):
 * its task instance names it in `queued_by_job_id`, and its heartbeat tells schedulers it still runs.
 */
export type JobType = 'SchedulerJob' | 'WorkerJob' | 'DagProcessorJob' | 'LocalTaskJob';

export async function startJob(
  ds: DataSource,
  jobType: JobType,
  executorClass: string | null,
  now: Date,
): Promise<number> {
  const { records } = await execSql<{ id: number }>(
    ds,
    `INSERT INTO job (job_type, state, hostname, pid, executor_class, start_date, latest_heartbeat)
     VALUES (?, 'running', ?, ?, ?, ?, ?) RETURNING id`,
    [jobType, os.hostname(), process.pid, executorClass, now.toISOString(), now.toISOString()],
  );
  return Number(records[0].id);
}

/**
 * The job is alive at `now`; `metricsJson` (already serialised) replaces its published metrics unless null.
 * False when no row was updated: the job is no longer running (a scheduler declared it dead, or it ended).
 */
export async function heartbeatJob(
  ds: DataSource,
  id: number,
  now: Date,
  metricsJson: string | null = null,
): Promise<boolean> {
  const { affected } = await execSql(
    ds,
    `UPDATE job SET latest_heartbeat = ?, metrics = COALESCE(?, metrics) WHERE id = ? AND state = 'running'`,
    [now.toISOString(), metricsJson, id],
  );
  return affected > 0;
}

export async function endJob(ds: DataSource, id: number, state: 'success' | 'failed', now: Date): Promise<void> {
  await execSql(ds, `UPDATE job SET state = ?, end_date = ? WHERE id = ? AND state = 'running'`, [
    state,
    now.toISOString(),
    id,
  ]);
}

export interface JobRow {
  id: number;
  hostname: string | null;
  pid: number | null;
  latestHeartbeat: Date | null;
}

export async function runningJobs(ds: DataSource, jobType: JobType): Promise<JobRow[]> {
  const { records } = await execSql<{
    id: number;
    hostname: string | null;
    pid: number | null;
    latest_heartbeat: string | null;
  }>(ds, `SELECT id, hostname, pid, latest_heartbeat FROM job WHERE job_type = ? AND state = 'running'`, [jobType]);
  return records.map((r) => ({
    id: Number(r.id),
    hostname: r.hostname,
    pid: r.pid === null ? null : Number(r.pid),
    latestHeartbeat: r.latest_heartbeat ? new Date(r.latest_heartbeat) : null,
  }));
}

/**
 * A job is dead if its heartbeat is stale, or it ran on this host and its pid is gone. A pid this
 * process may not signal (EPERM: a `tasks run` of another OS user) exists: it is judged by its
 * heartbeat like a job of another host, never taken for dead (that would end a live hand run's try).
 */
export function isJobAlive(job: JobRow, now: Date, staleAfterMs: number): boolean {
  if (job.hostname === os.hostname() && job.pid !== null) {
    if (job.pid === process.pid) return true;
    if (!isProcessAlive(job.pid)) return false;
  }
  return job.latestHeartbeat !== null && now.getTime() - job.latestHeartbeat.getTime() < staleAfterMs;
}

export async function markJobFailed(ds: DataSource, id: number, now: Date): Promise<boolean> {
  const { affected } = await execSql(
    ds,
    `UPDATE job SET state = 'failed', end_date = ? WHERE id = ? AND state = 'running'`,
    [now.toISOString(), id],
  );
  return affected > 0;
}
