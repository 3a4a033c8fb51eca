/**
 * What a task may ask about, or do to, another DAG (ExternalTaskSensor, TriggerDagRunOperator).
 * A try asks through its variable source, like a variable lookup: the database where the try
 * has one, else its parent process or a scheduler (bullmq workers hold no database credentials).
 */

/** Which run of another DAG: by run id, by logical date, or the latest one a task triggered. */
export interface ExternalRunQuery {
  dagId: string;
  runId?: string | null;
  /** ISO-8601. */
  logicalDate?: string | null;
  /** `<dag_id>/<run_id>/<task_id>` of the TriggerDagRunOperator that created the run. */
  triggeredByTask?: string | null;
  /** The task instances to report; null: none (only the run's state). */
  taskIds?: string[] | null;
}

/** A run of another DAG as ExternalTaskSensor and TriggerDagRunOperator see it. */
export interface ExternalRunStates {
  runId: string;
  logicalDate: string;
  state: string;
  /** For each asked task id, the states of its task instances (one per map index; none: not created yet). */
  taskStates: Record<string, (string | null)[]>;
}

/** TriggerDagRunOperator's request: create a run of another DAG (or clear it again with resetDagRun). */
export interface TriggerRunRequest {
  dagId: string;
  runId: string | null;
  /** ISO-8601; null: now. */
  logicalDate: string | null;
  conf: Record<string, unknown>;
  resetDagRun: boolean;
  /** `<dag_id>/<run_id>/<task_id>` of the asking task instance. */
  triggeredByTask: string;
}

export interface TriggeredRun {
  runId: string;
  logicalDate: string;
  /** True: created now; false: an existing run cleared (resetDagRun). */
  created: boolean;
}

/** How a task instance names itself as a run's trigger. */
export function triggeringTaskRef(dagId: string, runId: string, taskId: string): string {
  return `${dagId}/${runId}/${taskId}`;
}
