import type { ExternalRunQuery, TriggerRunRequest } from '../core/cross-dag';
import type { TaskOutcome, TaskWorkload } from '../core/executor';
import type { TaskInstanceKey } from '../core/task-instance-key';

/**
 * What a task process asks its parent for: every variable, one variable, one connection — or,
 * for the cross-DAG operators, another DAG's run and task states, or a new run of another DAG;
 * or, for templates naming prev_*_success, this try's previous successful run.
 */
export type SecretLookup =
  | { kind: 'all-variables' }
  | { kind: 'variable'; key: string }
  | { kind: 'connection'; connId: string }
  | { kind: 'external-run'; query: ExternalRunQuery }
  | { kind: 'trigger-dag-run'; request: TriggerRunRequest }
  /** The prev_*_success template values of this try (its DAG's latest successful run before it). */
  | { kind: 'prev-success'; key: TaskInstanceKey; logicalDate: string };

export const SECRET_LOOKUP_KINDS: readonly string[] = [
  'all-variables',
  'variable',
  'connection',
  'external-run',
  'trigger-dag-run',
  'prev-success',
];

/**
 * Messages between a task process pool (parent) and a task process (child), over the IPC
 * channel of `child_process.fork`. A child serves one `run` at a time.
 */
export type ParentToChildMessage =
  /**
   * Run one try. `variablesFromParent`: ask the parent for variables and connections instead of
   * reading the DB. `reportStarted`: say `started` when it begins (only when someone listens: a
   * claimed try's start is already written by its claim, and each message costs both processes).
   */
  | { type: 'run'; workload: TaskWorkload; variablesFromParent: boolean; reportStarted: boolean }
  /** Answer to a `secret-request` (`value` null: no such variable or connection). */
  | { type: 'secret'; requestId: number; value?: unknown; error?: string }
  /** Finish the current try (if any) and exit. */
  | { type: 'shutdown' }
  /** Stop the current try now (the parent also signals its subprocesses); `reason` says why and by whom. */
  | { type: 'abort'; reason: string };

export type ChildToParentMessage =
  /** Modules are loaded; the child accepts `run`. */
  | { type: 'ready'; pid: number }
  /** A try began in this process. */
  | { type: 'started'; pid: number }
  /** The task's execute() began: its execution timeout counts from now (sent only for a try that has one). */
  | { type: 'executing' }
  /** A try ended. `recycle`: the child will exit now (the task ignored an abort, or a fatal error). */
  | { type: 'finished'; outcome: TaskOutcome; rssBytes: number; logPath: string; recycle: boolean }
  /** The attempt log could not be written. */
  | { type: 'log-error'; message: string }
  | { type: 'secret-request'; requestId: number; lookup: SecretLookup };

export function isChildToParentMessage(value: unknown): value is ChildToParentMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return (
    type === 'ready' ||
    type === 'started' ||
    type === 'executing' ||
    type === 'finished' ||
    type === 'log-error' ||
    type === 'secret-request'
  );
}

export function isParentToChildMessage(value: unknown): value is ParentToChildMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'run' || type === 'secret' || type === 'shutdown' || type === 'abort';
}
