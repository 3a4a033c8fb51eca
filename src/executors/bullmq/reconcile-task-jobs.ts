import { Job, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { describeTi, TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../../db/sql';
import { getLogger } from '../../logging/logger';
import { buildTaskWorkload } from '../build-task-workload';
import type { ExecutorEvent, TaskWorkload } from '../../core/executor';
import { taskJobId, tryClaimKey } from './bullmq-keys';
import { decideReconcile, JobProbe } from './reconcile-decision';
import { isTaskJobResult, type TaskJobData, type TaskJobResult } from './task-job';

const log = getLogger('executor');
/** Task instances looked at per pass; the oldest first. */
const PASS_LIMIT = 1000;

export interface ReconcileContext {
  dataSource: DataSource;
  redis: IORedis;
  prefix: string;
  queueFor(name: string): Queue;
  /** The executor is still handing this job to Redis: its absence means nothing yet. */
  isSending(jobId: string): boolean;
  /** The executor's own in-flight tries; entries whose task instance ended elsewhere are dropped. */
  inFlight: Map<string, { since: number }>;
  /** Since when each job has been missing / active without a claim (kept across passes). */
  unaccountedSince: Map<string, number>;
  queuedTimeoutMs: number;
  graceMs: number;
  now: Date;
  onEvent(jobId: string, event: ExecutorEvent): Promise<void>;
  resend(workload: TaskWorkload): void;
}

/** The result a failed try's job keeps in its data (see TaskJobData.result). */
function keptResult(data: TaskJobData | undefined): TaskJobResult | null {
  return isTaskJobResult(data?.result) ? data.result : null;
}

async function probeJob(ctx: ReconcileContext, queue: Queue, jobId: string, nowMs: number): Promise<JobProbe> {
  const claimed = (await ctx.redis.exists(tryClaimKey(ctx.prefix, jobId))) === 1;
  const job = await Job.fromId(queue, jobId);
  if (!job)
    return { state: 'unknown', failedReason: null, result: null, stalledCount: 0, claimed, finishedAgoMs: null };
  const state = await job.getState();
  return {
    state,
    failedReason: job.failedReason ?? null,
    result: isTaskJobResult(job.returnvalue) ? job.returnvalue : keptResult(job.data as TaskJobData | undefined),
    stalledCount: Math.max(job.stalledCounter ?? 0, job.deferredFailure ? 1 : 0),
    claimed,
    finishedAgoMs: job.finishedOn ? Math.max(0, nowMs - job.finishedOn) : null,
  };
}

/**
 * One reconciliation pass: every task instance the DB holds as queued or running (whichever
 * scheduler sent it) is compared with its job in Redis, and what the scheduler missed — a result
 * lost with a dead scheduler, a worker that died with no other worker left to notice, a job
 * lost in a Redis restart, a try nobody took within task_queued_timeout — becomes an event or a
 * re-send. Reads the DB only; the scheduler applies the events.
 */
export async function reconcileTaskJobs(ctx: ReconcileContext): Promise<void> {
  const nowMs = ctx.now.getTime();
  const startedAt = Date.now();
  const { records } = await execSql<{
    dag_id: string;
    run_id: string;
    task_id: string;
    map_index: number;
    try_number: number;
    state: 'queued' | 'running';
    queue: string;
    queued_dttm: string | null;
  }>(
    ctx.dataSource,
    `SELECT dag_id, run_id, task_id, map_index, try_number, state, queue, queued_dttm FROM task_instance
     WHERE state IN ('queued', 'running') ORDER BY queued_dttm LIMIT ${PASS_LIMIT}`,
  );
  const seen = new Set<string>();
  for (const row of records) {
    const key: TaskInstanceKey = {
      dagId: row.dag_id,
      runId: row.run_id,
      taskId: row.task_id,
      mapIndex: Number(row.map_index),
    };
    const tryNumber = Number(row.try_number);
    const jobId = taskJobId(key, tryNumber);
    seen.add(jobId);
    if (ctx.isSending(jobId)) continue;
    const queue = ctx.queueFor(row.queue);
    const probe = await probeJob(ctx, queue, jobId, nowMs);
    const unaccounted = probe.state === 'unknown' || (probe.state === 'active' && !probe.claimed);
    if (!unaccounted) ctx.unaccountedSince.delete(jobId);
    else if (!ctx.unaccountedSince.has(jobId)) ctx.unaccountedSince.set(jobId, nowMs);
    const action = decideReconcile(probe, {
      tiState: row.state,
      queue: row.queue,
      queuedForMs: row.queued_dttm ? nowMs - Date.parse(row.queued_dttm) : 0,
      unaccountedForMs: unaccounted ? nowMs - (ctx.unaccountedSince.get(jobId) ?? nowMs) : 0,
      queuedTimeoutMs: ctx.queuedTimeoutMs,
      graceMs: ctx.graceMs,
    });
    const at = ctx.now.toISOString();
    switch (action.kind) {
      case 'none':
        break;
      case 'finished':
        await ctx.onEvent(jobId, { type: 'finished', key, tryNumber, at, outcome: action.outcome });
        break;
      case 'lost':
        if (action.removeJob && probe.state !== 'unknown') {
          // Only a job no worker holds can be removed; one just taken is left to its worker.
          const removed = await queue.remove(jobId).catch(() => 0);
          if (!removed && (await queue.getJobState(jobId)) !== 'unknown') break;
        }
        log.warn(`${describeTi(key, tryNumber)}: ${action.reason}`);
        await ctx.onEvent(jobId, { type: 'lost', key, tryNumber, at, reason: action.reason });
        break;
      case 'resend':
        ctx.unaccountedSince.delete(jobId);
        try {
          ctx.resend(await buildTaskWorkload(ctx.dataSource, key, tryNumber));
        } catch (err) {
          log.warn(`cannot re-send ${describeTi(key, tryNumber)}`, { err });
        }
        break;
    }
  }
  for (const jobId of ctx.unaccountedSince.keys()) if (!seen.has(jobId)) ctx.unaccountedSince.delete(jobId);
  if (records.length < PASS_LIMIT) {
    // Tries whose task instance ended (another scheduler applied their result) free their slot here.
    for (const [jobId, entry] of ctx.inFlight)
      if (!seen.has(jobId) && entry.since < startedAt - 1000) ctx.inFlight.delete(jobId);
  }
}
