import type { TaskState } from '../../core/states';

/** A scheduling rule's verdict: may the task instance move on, and why (or why not). */
export interface DepStatus {
  passed: boolean;
  /** Meant for the user: `tasks failed-deps`, the API and the UI show it as is. */
  reason: string;
  /**
   * Failing for good: the task instance can never pass this rule in this run and ends in this
   * state instead (a trigger rule whose upstream tasks were skipped or failed).
   */
  endsAs?: typeof TaskState.SKIPPED | typeof TaskState.UPSTREAM_FAILED;
  /** Failing until this moment (a retry delay): the scheduler wakes up then to look again. */
  until?: Date;
  /** Failing on something outside this DAG run (depends_on_past): the run is not deadlocked. */
  waitsOnOtherRuns?: boolean;
}

export function passing(reason: string): DepStatus {
  return { passed: true, reason };
}

export function failing(reason: string, more: Omit<DepStatus, 'passed' | 'reason'> = {}): DepStatus {
  return { passed: false, reason, ...more };
}
