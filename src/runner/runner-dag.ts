import type { OperatorExpansion } from '../authoring/mapping/expansion';
import type { TaskContext } from '../authoring/task-context';
import type { TaskOutcome } from '../core/executor';

/**
 * The shape of a loaded DAG that the runner relies on (duck-typed: DAG files may load their own
 * copy of the SDK, so `instanceof` is never used).
 */
export interface RunnerOperator {
  readonly taskId: string;
  readonly templateFields: readonly string[];
  readonly params?: Record<string, unknown>;
  withRenderedFields(values: Record<string, unknown>): RunnerOperator;
  /** Mapped tasks (absent in older SDKs): what the task expands over, and one map index's copy. */
  readonly expansion?: OperatorExpansion | null;
  withExpandedValues?(values: Record<string, unknown>): RunnerOperator;
  /** The options an `expandKwargs` element may set (absent in older SDKs: not checked). */
  readonly mappableOptionKeys?: readonly string[];
  execute(ctx: TaskContext): Promise<unknown>;
  toOutcome(result: unknown): Partial<TaskOutcome>;
  readonly onSuccessCallback?: TaskCallbackFn | null;
  readonly onFailureCallback?: TaskCallbackFn | null;
  readonly onRetryCallback?: TaskCallbackFn | null;
  readonly onExecuteCallback?: TaskCallbackFn | null;
}

export type TaskCallbackFn = (ctx: TaskContext, error?: Error) => unknown;

export interface RunnerDag {
  readonly dagId: string;
  fileloc: string;
  readonly tasks: ReadonlyMap<string, RunnerOperator>;
  readonly params: Record<string, unknown>;
  /** 'empty' renders unknown template names empty; absent (older SDKs) or 'strict' fails. */
  readonly templateUndefined?: 'strict' | 'empty';
}

/** Imports a DAG file; `fresh` re-reads it past module caches. */
export type DagFileLoader = (file: string, options?: { fresh?: boolean }) => Promise<RunnerDag[]>;
