import { formatDurationMs } from '../../runner/format-duration-ms';
import type { TaskOutcome } from '../../core/executor';
import type { TaskJobResult } from './task-job';

/** A worker refuses a second delivery of a try it (or another worker) already took with this reason. */
export const DUPLICATE_DELIVERY = 'duplicate delivery';
/** BullMQ's reason for a job whose worker stopped renewing its lock (died, lost Redis). */
export const STALLED_REASON = 'job stalled more than allowable limit';

/** What Redis says about the job of one try. */
export interface JobProbe {
  /** BullMQ job state, or 'unknown' when the job is not in Redis. */
  state: string;
  failedReason: string | null;
  result: TaskJobResult | null;
  /** How often BullMQ found it stalled (its worker stopped renewing the lock). */
  stalledCount: number;
  /** A live worker holds the try's claim key (it refreshes it while the try runs). */
  claimed: boolean;
  /** Since when the job is completed/failed (ms), null while it is not. */
  finishedAgoMs: number | null;
}

export interface ReconcileFacts {
  tiState: 'queued' | 'running';
  queue: string;
  /** How long the task instance has been queued. */
  queuedForMs: number;
  /** How long this job has been seen missing, or active without a live claim. */
  unaccountedForMs: number;
  /** `scheduler.task_queued_timeout`. */
  queuedTimeoutMs: number;
  /** How long to wait before trusting a missing job / claim (longer than a claim refresh). */
  graceMs: number;
}

export type ReconcileAction =
  | { kind: 'none' }
  | { kind: 'finished'; outcome: TaskOutcome }
  | { kind: 'lost'; reason: string; removeJob: boolean }
  /** The job vanished before any worker took it: send the same try again (same job id). */
  | { kind: 'resend' };

const NONE: ReconcileAction = { kind: 'none' };
const WAITING_STATES = new Set(['waiting', 'wait', 'prioritized', 'delayed', 'paused', 'waiting-children']);

/**
 * The safety net behind the results stream, for one task instance the DB says is queued or
 * running: compare with its job in Redis and decide what event (if any) the scheduler missed.
 * Pure; every event it yields is applied through guarded transitions, so repeating one is harmless.
 */
export function decideReconcile(job: JobProbe, facts: ReconcileFacts): ReconcileAction {
  const settled = job.finishedAgoMs !== null && job.finishedAgoMs >= facts.graceMs;
  switch (job.state) {
    case 'completed':
      if (!settled) return NONE; // its result event is most likely on the way
      if (job.result?.kind === 'finished') return { kind: 'finished', outcome: job.result.outcome };
      if (job.result?.kind === 'lost') return { kind: 'lost', reason: job.result.reason, removeJob: false };
      return { kind: 'lost', reason: 'its job completed without a result', removeJob: false };
    case 'failed': {
      // A try that failed on its worker: its job failed with the try's own result kept.
      if (job.result) {
        if (!settled) return NONE; // its result event is most likely on the way
        if (job.result.kind === 'finished') return { kind: 'finished', outcome: job.result.outcome };
        return { kind: 'lost', reason: job.result.reason, removeJob: false };
      }
      const reason = job.failedReason ?? 'unknown reason';
      if (reason.startsWith(DUPLICATE_DELIVERY) && job.claimed) return NONE;
      if (!settled) return NONE;
      if (reason === STALLED_REASON)
        return {
          kind: 'lost',
          reason: 'the worker running it stopped responding (died or lost Redis)',
          removeJob: false,
        };
      return { kind: 'lost', reason: `its job failed on the worker: ${reason}`, removeJob: false };
    }
    case 'active':
      if (job.claimed || facts.unaccountedForMs < facts.graceMs) return NONE;
      return { kind: 'lost', reason: 'no live worker holds it (the worker is gone)', removeJob: true };
    case 'unknown':
      if (job.claimed || facts.unaccountedForMs < facts.graceMs) return NONE;
      if (facts.tiState === 'queued') return { kind: 'resend' };
      return { kind: 'lost', reason: 'its job vanished from Redis and no worker reports it', removeJob: false };
    default:
      if (!WAITING_STATES.has(job.state)) return NONE;
      if (job.stalledCount > 0)
        return { kind: 'lost', reason: 'the worker running it stopped responding (job stalled)', removeJob: true };
      if (facts.tiState === 'queued' && facts.queuedForMs >= facts.queuedTimeoutMs) {
        return {
          kind: 'lost',
          reason:
            `stuck in queued for ${formatDurationMs(facts.queuedForMs)}: ` +
            `no worker took it from queue '${facts.queue}'`,
          removeJob: true,
        };
      }
      return NONE;
  }
}
