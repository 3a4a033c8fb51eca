/** Task instance states, Airflow's lowercase strings. `null` means "no state yet". */
export const TaskState = {
  SCHEDULED: 'scheduled',
  QUEUED: 'queued',
  RUNNING: 'running',
  /** Cleared while queued or running: its try is being stopped; it goes back to no state once it has. */
  RESTARTING: 'restarting',
  SUCCESS: 'success',
  FAILED: 'failed',
  UP_FOR_RETRY: 'up_for_retry',
  UP_FOR_RESCHEDULE: 'up_for_reschedule',
  UPSTREAM_FAILED: 'upstream_failed',
  SKIPPED: 'skipped',
  REMOVED: 'removed',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];
export type TaskStateOrNone = TaskState | null;

/** States after which a task instance will not change again on its own. */
export const FINISHED_TASK_STATES: readonly TaskState[] = [
  TaskState.SUCCESS,
  TaskState.FAILED,
  TaskState.SKIPPED,
  TaskState.UPSTREAM_FAILED,
  TaskState.REMOVED,
];

/** States in which the task is handed to an executor and may be executing. */
export const ACTIVE_TASK_STATES: readonly TaskState[] = [TaskState.QUEUED, TaskState.RUNNING];

export function isFinishedTaskState(state: TaskStateOrNone): boolean {
  return state !== null && FINISHED_TASK_STATES.includes(state);
}

export const DagRunState = {
  QUEUED: 'queued',
  RUNNING: 'running',
  SUCCESS: 'success',
  FAILED: 'failed',
} as const;
export type DagRunState = (typeof DagRunState)[keyof typeof DagRunState];

export const DagRunType = {
  SCHEDULED: 'scheduled',
  MANUAL: 'manual',
  BACKFILL: 'backfill',
  /** Created when each dataset a DAG is scheduled on was updated (Airflow's name). */
  DATASET_TRIGGERED: 'dataset_triggered',
  /** A `dags test` run: driven by the CLI process that made it; every scheduler query skips it. */
  TEST: 'test',
} as const;
export type DagRunType = (typeof DagRunType)[keyof typeof DagRunType];

export const TriggerRule = {
  ALL_SUCCESS: 'all_success',
  ALL_FAILED: 'all_failed',
  ALL_DONE: 'all_done',
  ALL_SKIPPED: 'all_skipped',
  ONE_SUCCESS: 'one_success',
  ONE_FAILED: 'one_failed',
  ONE_DONE: 'one_done',
  NONE_FAILED: 'none_failed',
  NONE_FAILED_MIN_ONE_SUCCESS: 'none_failed_min_one_success',
  NONE_SKIPPED: 'none_skipped',
  ALWAYS: 'always',
  /** Airflow 2.7's rule for teardowns (set by asTeardown): all done and one upstream setup succeeded. */
  ALL_DONE_SETUP_SUCCESS: 'all_done_setup_success',
} as const;
export type TriggerRule = (typeof TriggerRule)[keyof typeof TriggerRule];
export const TRIGGER_RULES: readonly TriggerRule[] = Object.values(TriggerRule);

export const WeightRule = { DOWNSTREAM: 'downstream', UPSTREAM: 'upstream', ABSOLUTE: 'absolute' } as const;
export type WeightRule = (typeof WeightRule)[keyof typeof WeightRule];
