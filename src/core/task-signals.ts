/**
 * Control-flow errors a task may throw to end its try with a state other than failed, like
 * Airflow's AirflowSkipException / AirflowRescheduleException / AirflowFailException.
 */
export class TaskSkipped extends Error {
  readonly dagctlSignal = 'skip';
  constructor(reason = 'task skipped itself') {
    super(reason);
    this.name = 'TaskSkipped';
  }
}

export class TaskRescheduled extends Error {
  readonly dagctlSignal = 'reschedule';
  constructor(
    readonly rescheduleAt: Date,
    reason = 'sensor condition not met yet',
  ) {
    super(reason);
    this.name = 'TaskRescheduled';
  }
}

/** Fail without using the remaining retries. */
export class TaskFailedNoRetry extends Error {
  readonly dagctlSignal = 'fail-no-retry';
  constructor(reason: string) {
    super(reason);
    this.name = 'TaskFailedNoRetry';
  }
}

/** Signals cross module copies (DAG files may load their own copy of the SDK): match by tag. */
export function signalOf(err: unknown): 'skip' | 'reschedule' | 'fail-no-retry' | null {
  const tag = (err as { dagctlSignal?: unknown } | null)?.dagctlSignal;
  return tag === 'skip' || tag === 'reschedule' || tag === 'fail-no-retry' ? tag : null;
}
