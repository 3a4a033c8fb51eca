import { createHash } from 'node:crypto';
import type { TaskInstanceKey } from '../../core/task-instance-key';

/**
 * Names dagctl uses in Redis besides BullMQ's own queue keys (which live under
 * `<redis.key_prefix>:<queue>:…`). Everything dagctl-specific sits under `<prefix>:dagctl:…`.
 */

/**
 * BullMQ job id of one try: deterministic from (dag, run, task, map index, try), so sending the
 * same try twice adds nothing, and a retry (a new try number) is a new job. BullMQ ids may not
 * contain ':', so readable parts are sanitized and a hash of the exact key keeps them unique.
 */
export function taskJobId(key: TaskInstanceKey, tryNumber: number): string {
  const readable = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
  const digest = createHash('sha256')
    .update(JSON.stringify([key.dagId, key.runId, key.taskId, key.mapIndex]))
    .digest('hex')
    .slice(0, 20);
  return `${readable(key.dagId)}.${readable(key.taskId)}.${key.mapIndex}.${digest}.t${tryNumber}`;
}

/** Set by the worker that took a try (NX): a second delivery of the same try never runs. */
export function tryClaimKey(prefix: string, jobId: string): string {
  return `${prefix}:dagctl:claim:${jobId}`;
}

/** The log of a try as it is being written on a worker (a string, appended to). */
export function remoteLogKey(prefix: string, jobId: string): string {
  return `${prefix}:dagctl:log:${jobId}`;
}

/** Exists once the try ended and its remote log is complete. */
export function remoteLogDoneKey(prefix: string, jobId: string): string {
  return `${prefix}:dagctl:log:${jobId}:done`;
}

/** One key per live worker, expiring unless the worker heartbeats. */
export function workerHeartbeatKey(prefix: string, workerId: string): string {
  return `${prefix}:dagctl:worker:${workerId}`;
}

export function workerHeartbeatPattern(prefix: string): string {
  return `${prefix}:dagctl:worker:*`;
}

/** BullMQ runs the LOWEST priority number first (1 highest); dagctl's weight runs the HIGHEST first. */
const PRIORITY_CENTER = 1_048_576;
const PRIORITY_MAX = 2_097_151;

export function bullmqPriority(weight: number): number {
  const value = PRIORITY_CENTER - Math.round(Number.isFinite(weight) ? weight : 0);
  return Math.min(PRIORITY_MAX, Math.max(1, value));
}

/** Channel on which schedulers ask workers to stop a try (`{ jobId, reason }` as JSON). */
export function stopChannel(prefix: string): string {
  return `${prefix}:dagctl:stop`;
}

/** Set with the reason when a try must stop: a worker that missed the message sees it before it runs the try. */
export function stopRequestKey(prefix: string, jobId: string): string {
  return `${prefix}:dagctl:stop:${jobId}`;
}

/** A list of variable/connection lookups from workers, popped by whichever scheduler is free. */
export function secretRequestsKey(prefix: string): string {
  return `${prefix}:dagctl:secrets:requests`;
}

/** The one-shot answer to a lookup (a list of one entry, expiring soon after it is written). */
export function secretReplyKey(prefix: string, requestId: string): string {
  return `${prefix}:dagctl:secrets:reply:${requestId}`;
}
