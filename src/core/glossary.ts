/**
 * Glossary — every term is defined once here and used with this meaning everywhere (code,
 * comments, docs). docs/ARCHITECTURE.md shows the same list; a test keeps the two equal.
 */
export const GLOSSARY: ReadonlyArray<{ term: string; definition: string }> = [
  { term: 'DAG', definition: 'A directed acyclic graph of tasks with a schedule, defined in a DAG file.' },
  { term: 'DAG file', definition: 'A `.ts`/`.js`/`.mjs`/`.yaml` file under the dags folder that defines DAGs.' },
  {
    term: 'Serialized DAG',
    definition:
      'The JSON form of a DAG stored in the metadata DB; the scheduler and web server read only this, never user code.',
  },
  {
    term: 'DAG run',
    definition:
      'One execution of a DAG for one logical date (scheduled, manual, backfill; test: `dags test`, not a scheduler).',
  },
  { term: 'Logical date', definition: "The start of a scheduled run's data interval (Airflow's `execution_date`)." },
  { term: 'Data interval', definition: 'The [start, end) period a scheduled run covers; the run is created at `end`.' },
  { term: 'Task', definition: 'A node of a DAG: an operator instance with options (retries, trigger rule…).' },
  { term: 'Task instance', definition: 'A task within one DAG run, keyed by (dag_id, run_id, task_id, map_index).' },
  { term: 'Try', definition: 'One attempt of a task instance; `try_number` counts them from 1.' },
  { term: 'Trigger rule', definition: "How the states of a task's direct upstream tasks decide whether it runs." },
  {
    term: 'Executor',
    definition: 'Runs task instances handed over by the scheduler and reports events back; it never writes task state.',
  },
  { term: 'Task runner', definition: 'The code that runs ONE try of a task instance: load DAG, render, execute, log.' },
  { term: 'Worker', definition: 'A process on any machine that consumes tasks from a queue (bullmq executor).' },
  { term: 'Pool', definition: 'A named number of slots limiting how many task instances run at once.' },
  { term: 'XCom', definition: 'A small JSON value a task returns, readable by later tasks of the same run.' },
  {
    term: 'Permission',
    definition: 'An action on a resource (`can_edit` on `Pools`): what every access check asks for.',
  },
  { term: 'Role', definition: 'A set of permissions a user holds: built in (admin, op, viewer) or custom.' },
];
