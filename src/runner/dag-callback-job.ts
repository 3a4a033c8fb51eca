/**
 * What a callback process is asked to run: one DAG-level callback of one run. Sent as JSON in the
 * child's environment (`DAGCTL_CALLBACK_JOB`), so the child needs no database.
 */
export interface DagCallbackJob {
  fileloc: string;
  dagId: string;
  runId: string;
  kind: 'dag_success' | 'dag_failure' | 'deadline_missed';
  logFile: string;
  /** The callback's context without its logger (see DagCallbackContext). */
  context: Record<string, unknown>;
}

export const CALLBACK_JOB_ENV = 'DAGCTL_CALLBACK_JOB';

/** The DAG's callback function for this kind, from a DAG loaded by any copy of the SDK. */
export function pickDagCallback(dag: unknown, kind: DagCallbackJob['kind']): unknown {
  const d = dag as {
    onSuccessCallback?: unknown;
    onFailureCallback?: unknown;
    deadline?: { callback?: unknown } | null;
  };
  if (kind === 'dag_success') return d.onSuccessCallback;
  if (kind === 'dag_failure') return d.onFailureCallback;
  return d.deadline?.callback;
}
