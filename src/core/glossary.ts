/**
 * Glossary — every term is defined once here and used with this meaning everywhere.
 *
 * DAG            A directed acyclic graph of tasks with a schedule, defined in a DAG file.
 * DAG file       A `.ts`/`.js`/`.mjs`/`.yaml` file under the dags folder that defines DAGs.
 * Serialized DAG The JSON form of a DAG stored in the metadata DB; the scheduler and web server
 *                read only this, never user code.
 * DAG run        One execution of a DAG for one logical date (scheduled, manual or backfill).
 * Logical date   The start of a scheduled run's data interval (Airflow's `execution_date`).
 * Data interval  The [start, end) period a scheduled run covers; the run is created at `end`.
 * Task           A node of a DAG: an operator instance with options (retries, trigger rule…).
 * Task instance  A task within one DAG run, keyed by (dag_id, run_id, task_id, map_index).
 * Try            One attempt of a task instance; `try_number` counts them from 1.
 * Trigger rule   How the states of a task's direct upstream tasks decide whether it runs.
 * Executor       Runs task instances handed over by the scheduler and reports events back;
 *                it never writes task state.
 * Task runner    The code that runs ONE try of a task instance: load DAG, render, execute, log.
 * Worker         A process on any machine that consumes tasks from a queue (bullmq executor).
 * Pool           A named number of slots limiting how many task instances run at once.
 * XCom           A small JSON value a task returns, readable by later tasks of the same run.
 */
export {};
