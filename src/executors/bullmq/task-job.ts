import type { ExecutorEvent, TaskOutcome, TaskWorkload } from '../../core/executor';

/** The data of one BullMQ task job: everything a worker needs, no database required. */
export interface TaskJobData {
  workload: TaskWorkload;
  /** The DAG file relative to the scheduler's dags folder: a worker resolves it in its own. */
  relativeFileloc: string | null;
  /** SHA-256 of the DAG file source the scheduler parsed (null: unknown, no version check). */
  sourceHash: string | null;
  /** When the scheduler sent it (ISO). */
  sentAt: string;
  /**
   * Set by the worker on a try that failed, as its job fails: the result a failed job cannot
   * return (reconciliation reads it as it reads a completed job's return value).
   */
  result?: TaskJobResult;
}

/** A task job's return value: how the try ended, read back if its result event went missing. */
export type TaskJobResult = { kind: 'finished'; outcome: TaskOutcome } | { kind: 'lost'; reason: string };

/** One entry of the results stream: a worker event and the task job it belongs to. */
export interface ResultJobData {
  /** The task job this event belongs to. */
  jobId: string;
  event: ExecutorEvent;
}

export function isTaskJobResult(value: unknown): value is TaskJobResult {
  const v = value as { kind?: unknown; outcome?: { state?: unknown }; reason?: unknown } | null;
  if (!v || typeof v !== 'object') return false;
  if (v.kind === 'lost') return typeof v.reason === 'string';
  return v.kind === 'finished' && typeof v.outcome?.state === 'string';
}
