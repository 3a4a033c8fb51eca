import { Duration, parseDuration } from '../core/duration';
import { errorMessage } from '../core/errors';
import type { SerializedDeadline } from '../core/serialized-dag';
import { parseDagDate } from './parse-dag-date';

/** What a DAG-level callback is given: the run as it ended (or as it stood when its deadline passed). */
export interface DagCallbackContext {
  dagId: string;
  runId: string;
  /** 'success' | 'failed' for onSuccess/onFailureCallback; 'deadline_missed' for a deadline's callback. */
  reason: string;
  dagRun: {
    dagId: string;
    runId: string;
    state: string;
    runType: string;
    logicalDate: string;
    dataIntervalStart: string | null;
    dataIntervalEnd: string | null;
    queuedAt: string | null;
    startDate: string | null;
    endDate: string | null;
    conf: Record<string, unknown> | null;
    note: string | null;
  };
  /** For a deadline's callback: when the deadline was. */
  deadline?: string;
  /** Lines land in the callback log file (`<logs>/callbacks/<dag_id>/…`). */
  log: { info(message: string): void; error(message: string): void };
}

export type DagCallback = (ctx: DagCallbackContext) => void | Promise<void>;

/** Airflow 3.1's deadline references: what the interval is added to. */
export const DeadlineReference = {
  DAGRUN_LOGICAL_DATE: { kind: 'dagrun_logical_date' } as const,
  DAGRUN_QUEUED_AT: { kind: 'dagrun_queued_at' } as const,
  fixedDatetime: (date: string | Date): { kind: 'fixed_datetime'; date: string | Date } => ({
    kind: 'fixed_datetime',
    date,
  }),
};

export type DeadlineReferenceValue =
  { kind: 'dagrun_logical_date' } | { kind: 'dagrun_queued_at' } | { kind: 'fixed_datetime'; date: string | Date };

/** `deadline: { reference, interval, callback }`: the run must finish by reference + interval. */
export interface DeadlineAlert {
  reference: DeadlineReferenceValue;
  interval: Duration;
  callback?: DagCallback;
}

export interface ResolvedDeadline {
  serialized: SerializedDeadline;
  callback: DagCallback | null;
}

/** Check a `deadline` option; errors are returned as one message naming what is wrong. */
export function resolveDeadline(value: unknown, timezone: string): ResolvedDeadline | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `option 'deadline' must be { reference, interval, callback }`;
  const { reference, interval, callback } = value as Partial<DeadlineAlert>;
  const kind = (reference as { kind?: unknown } | undefined)?.kind;
  let fixedDate: string | null = null;
  if (kind === 'fixed_datetime') {
    const date = parseDagDate((reference as { date: string | Date }).date, timezone);
    if (!date) return `deadline reference fixedDatetime(${String((reference as { date: unknown }).date)}): not a date`;
    fixedDate = date.toISOString();
  } else if (kind !== 'dagrun_logical_date' && kind !== 'dagrun_queued_at') {
    return (
      `deadline 'reference' must be DeadlineReference.DAGRUN_LOGICAL_DATE, DAGRUN_QUEUED_AT ` + `or fixedDatetime(date)`
    );
  }
  let intervalMs: number;
  try {
    intervalMs = parseDuration(interval ?? 0, 'deadline interval');
  } catch (err) {
    return errorMessage(err);
  }
  if (callback !== undefined && typeof callback !== 'function') return `deadline 'callback' must be a function`;
  return {
    serialized: { reference: kind, fixedDate, intervalMs, hasCallback: typeof callback === 'function' },
    callback: callback ?? null,
  };
}
