import { round, summarize } from './stats';

export type Executor = 'local' | 'bullmq' | '-';
export type Database = 'sqlite' | 'postgres' | '-';

/** A target such as "≤ 1.0 s": met when the median is on the right side of `value`. */
export interface Target {
  op: '<=' | '>=';
  value: number;
  /** How the target was stated, e.g. "≤ 25 % of raw BullMQ drain (= 5,000/s)". */
  text: string;
}

/** One row of the results table. */
export interface Figure {
  /** The --only name of the scenario that produced it (set by the runner). */
  id?: string;
  scenario: string;
  /** What is measured, e.g. "trigger → run success". */
  metric: string;
  executor: Executor;
  database: Database;
  unit: string;
  status: 'ok' | 'skipped' | 'failed';
  median: number | null;
  min: number | null;
  max: number | null;
  samples: number[];
  target: Target | null;
  met: boolean | null;
  /** Size actually run (tasks, files…), so quick-mode figures are not mistaken for full ones. */
  size: string;
  notes: string[];
  /** The samples are lower bounds (a run hit its time limit). */
  lowerBound?: boolean;
  /** Why it was skipped or failed. */
  reason?: string;
}

export interface FigureSpec {
  scenario: string;
  metric: string;
  executor: Executor;
  database: Database;
  unit: string;
  size: string;
  target?: Target | null;
  notes?: string[];
}

export function measured(spec: FigureSpec, samples: number[]): Figure {
  const s = summarize(samples);
  const target = spec.target ?? null;
  const met = target === null ? null : target.op === '<=' ? s.median <= target.value : s.median >= target.value;
  return {
    ...spec,
    target,
    notes: spec.notes ?? [],
    status: 'ok',
    met,
    median: round(s.median),
    min: round(s.min),
    max: round(s.max),
    samples: samples.map(round),
  };
}

/**
 * A run that hit its time limit: the samples (the limit included) are lower bounds, so a "≤"
 * target is missed; the table shows the median with a "≥" sign.
 */
export function lowerBound(spec: FigureSpec, samples: number[], note: string): Figure {
  const f = measured({ ...spec, notes: [...(spec.notes ?? []), note] }, samples);
  return { ...f, lowerBound: true, met: f.target ? (f.target.op === '<=' ? false : f.met) : null };
}

export function notMeasured(spec: FigureSpec, status: 'skipped' | 'failed', reason: string): Figure {
  return {
    ...spec,
    target: spec.target ?? null,
    notes: spec.notes ?? [],
    status,
    median: null,
    min: null,
    max: null,
    samples: [],
    met: null,
    reason,
  };
}

export const atMost = (value: number, text: string): Target => ({ op: '<=', value, text });
export const atLeast = (value: number, text: string): Target => ({ op: '>=', value, text });
