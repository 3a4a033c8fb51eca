import os from 'node:os';
import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { isJobAlive, markJobFailed, runningJobs } from '../db/transitions/job-transitions';
import { HAND_RUN_LOST_REASON, LOST_TO_PLATFORM_REASON } from '../db/transitions/lost-to-platform';
import { finishRestart, requeueNeverStarted } from '../db/transitions/task-instance-transitions';
import { adoptsOrphans, type Executor } from '../core/executor';
import { getLogger } from '../logging/logger';
import { isProcessAlive, isProcessRunning } from '../core/process-table';
import { isSessionRunning } from '../runner/kill-process-tree';
import { killTryProcesses } from '../runner/kill-try-processes';
import { describeTi } from '../core/task-instance-key';
import type { DagViewCache } from './dag-view-cache';
import { endTryLostToPlatform } from './end-lost-try';
import { tryRefOf, type TryRow } from './tries-of-job';

const log = getLogger('scheduler');

export interface OrphanThresholds {
  /** A scheduler whose heartbeat is older than this is gone: its queued tries are given back. */
  staleAfterMs: number;
  /**
   * `scheduler.zombie_threshold`: a running try of a gone scheduler is a zombie (failed, or retried
   * per its retries) once that scheduler has been silent this long — at once when it ended
   * cleanly or its process is known to be gone from this host.
   */
  zombieThresholdMs: number;
  /**
   * `scheduler.max_platform_retries`: a try lost this way is run again as a new try that does not
   * use one of the task's retries, this many times per task instance; after that it is a failure.
   */
  maxPlatformRetries: number;
}

/** A job whose tries may be orphans: a scheduler, or a hand run (`tasks run`), no longer running. */
interface GoneJob {
  id: number;
  job_type: 'SchedulerJob' | 'LocalTaskJob';
  state: string;
  hostname: string | null;
  pid: number | null;
  latest_heartbeat: string | null;
}

/**
 * Hand runs (`dagctl tasks run`, each a LocalTaskJob) that are gone: their process is known dead
 * on this host, or they have been silent for `scheduler.zombie_threshold`. Their job is marked
 * failed, which makes their try an orphan (a job that is not running is gone, whether it failed
 * or — which should not happen while its try still runs — ended cleanly).
 */
async function failGoneHandRuns(ds: DataSource, zombieThresholdMs: number, now: Date): Promise<void> {
  for (const job of await runningJobs(ds, 'LocalTaskJob')) {
    if (isJobAlive(job, now, zombieThresholdMs)) continue;
    if (await markJobFailed(ds, job.id, now))
      log.warn(`hand run job ${job.id} (tasks run, pid ${job.pid} on ${job.hostname}) is gone`);
  }
}

/**
 * Task instances queued or running under a scheduler that is gone (killed, crashed) would stay
 * so forever. With a local executor their processes die with it: a queued try never started (a
 * try starts only through its claim, which moves it to running) and is given back; a running try
 * was lost to the platform: once every process of it is gone it is run again as a new try that
 * does not use one of the task's retries (up to maxPlatformRetries, then retried or failed per its
 * retries). An executor whose workers keep running (bullmq) adopts them instead.
 * A try run by hand (`tasks run`) whose hand run is gone is lost the same way, whatever the
 * executor: it never ran on a worker, so there is nothing to adopt. Returns how many were handled.
 */
export async function resetOrphanedTasks(
  ds: DataSource,
  views: DagViewCache,
  executor: Executor,
  myJobId: number,
  thresholds: OrphanThresholds,
  now: Date,
): Promise<number> {
  const jobs = await runningJobs(ds, 'SchedulerJob');
  for (const job of jobs) {
    if (job.id === myJobId || isJobAlive(job, now, thresholds.staleAfterMs)) continue;
    if (await markJobFailed(ds, job.id, now))
      log.warn(`scheduler job ${job.id} (pid ${job.pid} on ${job.hostname}) is gone`);
  }
  await failGoneHandRuns(ds, thresholds.zombieThresholdMs, now);
  // Every scheduler that is gone, and the hand runs that are gone while their try looks active
  // (one job row per hand run ever made: only those still named by a try are read).
  const { records: goneJobs } = await execSql<GoneJob>(
    ds,
    `SELECT id, job_type, state, hostname, pid, latest_heartbeat FROM job
     WHERE state <> 'running' AND (job_type = 'SchedulerJob' OR (job_type = 'LocalTaskJob' AND id IN (
       SELECT queued_by_job_id FROM task_instance WHERE state IN ('queued', 'running', 'restarting'))))`,
  );
  const gone = new Map(goneJobs.map((j) => [Number(j.id), j]));
  /** Its running tries are surely dead: it ended cleanly, its process is gone, or it was silent past the threshold. */
  const zombieTime = (jobId: number): boolean => {
    const job = gone.get(jobId)!;
    // A hand run is gone only once it met these already (failGoneHandRuns), or ended.
    if (job.state === 'success' || job.job_type === 'LocalTaskJob') return true;
    const pid = job.pid === null ? null : Number(job.pid);
    if (job.hostname === os.hostname() && pid !== null && pid !== process.pid && !isProcessAlive(pid)) return true;
    const heartbeat = job.latest_heartbeat ? new Date(job.latest_heartbeat).getTime() : null;
    return heartbeat === null || now.getTime() - heartbeat >= thresholds.zombieThresholdMs;
  };
  const { records } = await execSql<
    TryRow & {
      state: string;
      queued_by_job_id: number | null;
      hostname: string | null;
      pid: number | null;
      platform_retries: number;
    }
  >(
    ds,
    `SELECT dag_id, run_id, task_id, map_index, try_number, state, queued_by_job_id, hostname, pid, platform_retries
     FROM task_instance
     WHERE state IN ('queued', 'running', 'restarting')`,
  );
  const orphans = records.filter((r) => r.queued_by_job_id !== null && gone.has(Number(r.queued_by_job_id)));
  if (!orphans.length) return 0;
  const ranByHand = (o: (typeof orphans)[number]): boolean =>
    gone.get(Number(o.queued_by_job_id))!.job_type === 'LocalTaskJob';
  let adopted = 0;
  if (adoptsOrphans(executor)) {
    // A hand-run try never was on a worker: no worker will report it, so it is never adopted.
    const adoptable = orphans.filter((o) => !ranByHand(o));
    if (adoptable.length) {
      await runInTransaction(ds, async (m) => {
        for (const o of adoptable) {
          await execSql(
            m,
            `UPDATE task_instance SET queued_by_job_id = ?
             WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = ?`,
            [myJobId, o.dag_id, o.run_id, o.task_id, o.map_index, o.try_number, o.state],
          );
        }
      });
      log.info(`adopted ${adoptable.length} task instances of schedulers that are gone`);
      adopted = adoptable.length;
    }
  }
  const lost = adoptsOrphans(executor) ? orphans.filter(ranByHand) : orphans;
  /**
   * The try's own processes are gone too: a task process whose scheduler died aborts its try and
   * exits, killing its subprocesses, within seconds; until then a new try would overlap it. Known
   * only on this host; elsewhere the zombie threshold stands for it. A hand run's try runs in the
   * `tasks run` process itself, which need not lead a session: that process counts too (it may
   * be alive but silent: stopped, or its heartbeat thread dead while the task blocks its loop).
   * Once that process and its session are gone, a BashOperator's bash (a session of its own) may
   * still run, found only by its DAGCTL_CTX_* environment: no one is left to stop it, so it is
   * killed here, and the try ends in a later loop, once none of it runs.
   */
  const processesGone = (o: (typeof orphans)[number]): boolean => {
    // No pid recorded: nothing of the try was started on this host.
    if (o.hostname !== os.hostname() || o.pid === null) return true;
    const pid = Number(o.pid);
    if (isSessionRunning(pid) || (ranByHand(o) && isProcessRunning(pid))) return false;
    const { key, tryNumber } = tryRefOf(o);
    const left = killTryProcesses(key, tryNumber, pid).count;
    if (left > 0)
      log.warn(`${describeTi(key, tryNumber)}: killed ${left} processes left running after its supervisor died`);
    return left === 0;
  };
  // Queued tries never started: give them back now. Running ones wait until they are surely dead.
  const due = lost.filter((o) => o.state === 'queued' || (zombieTime(Number(o.queued_by_job_id)) && processesGone(o)));
  // Cleared while running under the dead scheduler: its try is over now, so it runs again.
  const restarts = due.filter((o) => o.state === 'restarting');
  if (!due.length) return adopted;
  await runInTransaction(ds, async (m) => {
    for (const o of due) {
      const { key, tryNumber } = tryRefOf(o);
      if (o.state === 'queued') {
        await requeueNeverStarted(m, key, tryNumber, now);
        continue;
      }
      if (restarts.includes(o)) {
        await finishRestart(m, key, tryNumber, now);
        continue;
      }
      const lostTry = { key, tryNumber, platformRetries: Number(o.platform_retries) };
      const reason = ranByHand(o) ? HAND_RUN_LOST_REASON : LOST_TO_PLATFORM_REASON;
      await endTryLostToPlatform(m, views, lostTry, thresholds.maxPlatformRetries, reason, now);
    }
  });
  log.warn(`reset ${due.length} orphaned task instances`);
  return adopted + due.length;
}
