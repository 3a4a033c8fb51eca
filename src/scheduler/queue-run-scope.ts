/** The one run a scoped loop (`dags test`) queues for, instead of every scheduler's runs. */
export interface OnlyRun {
  dagId: string;
  runId: string;
}

/**
 * Which runs the queuer looks at (`r`: dag_run, `d`: dag; `ti` for the run's key when the query
 * reads task instances, so that their index serves it). A `dags test` run (run_type 'test')
 * belongs to the CLI process testing it, never to a scheduler. A draining DAG (`dags pause
 * --drain`) is paused but its running runs still queue tasks.
 */
export function queueRunScope(onlyRun: OnlyRun | undefined, keyOf: 'r' | 'ti'): { sql: string; params: unknown[] } {
  return onlyRun
    ? { sql: `${keyOf}.dag_id = ? AND ${keyOf}.run_id = ?`, params: [onlyRun.dagId, onlyRun.runId] }
    : { sql: "(d.is_paused = ? OR d.is_draining = ?) AND r.run_type <> 'test'", params: [false, true] };
}
