import type { SerializedDag } from '../../core/serialized-dag';
import { fileToken } from '../file-token';
import { bool, columnText, isoOrNull, numOrNull, parseJsonText, timeDelta } from './api-dates';
import { scheduleInterval, timetableDescription } from './schedule-interval';

/** The columns the DAG endpoints select (raw SQL, snake_case). */
export const DAG_COLUMNS = `d.dag_id, d.is_paused, d.is_draining, d.is_active, d.fileloc, d.description, d.schedule,
  d.tags, d.owners,
  d.max_active_runs, d.max_active_tasks, d.last_parsed_time, d.next_dagrun, d.next_dagrun_data_interval_start,
  d.next_dagrun_data_interval_end, d.next_dagrun_create_after,
  CASE WHEN EXISTS (SELECT 1 FROM import_error ie WHERE ie.filename = d.fileloc) THEN 1 ELSE 0 END
    AS has_import_errors`;

export type DagRow = Record<string, unknown>;

/** Airflow's `DAG` schema from a dag row. */
export function dagJson(row: DagRow, secretKey: string): Record<string, unknown> {
  const schedule = (row.schedule as string | null) ?? null;
  const owners = columnText(row.owners ?? '')
    .split(',')
    .map((owner) => owner.trim())
    .filter(Boolean);
  return {
    dag_id: row.dag_id,
    root_dag_id: null,
    is_paused: bool(row.is_paused),
    // dagctl extra: paused with drain (`dags pause --drain`): no new run, running runs finish.
    is_draining: bool(row.is_draining),
    is_active: bool(row.is_active),
    is_subdag: false,
    last_parsed_time: isoOrNull(row.last_parsed_time),
    last_pickled: null,
    last_expired: null,
    scheduler_lock: null,
    pickle_id: null,
    default_view: 'grid',
    fileloc: row.fileloc,
    file_token: fileToken(secretKey, String(row.fileloc)),
    owners,
    description: row.description ?? null,
    schedule_interval: scheduleInterval(schedule),
    timetable_description: timetableDescription(schedule),
    tags: parseJsonText<string[]>(row.tags, []).map((name) => ({ name })),
    max_active_tasks: numOrNull(row.max_active_tasks),
    max_active_runs: numOrNull(row.max_active_runs),
    has_task_concurrency_limits: false,
    has_import_errors: bool(row.has_import_errors),
    next_dagrun: isoOrNull(row.next_dagrun),
    next_dagrun_data_interval_start: isoOrNull(row.next_dagrun_data_interval_start),
    next_dagrun_data_interval_end: isoOrNull(row.next_dagrun_data_interval_end),
    next_dagrun_create_after: isoOrNull(row.next_dagrun_create_after),
  };
}

/** Airflow's `DAGDetail`: the DAG row plus what only the serialized DAG knows. */
export function dagDetailJson(
  row: DagRow,
  dag: SerializedDag | null,
  secretKey: string,
  pausedAtCreation: boolean,
): Record<string, unknown> {
  const timezone = dag?.schedule.kind === 'cron' ? dag.schedule.timezone : 'UTC';
  return {
    ...dagJson(row, secretKey),
    timezone,
    catchup: dag?.catchup ?? false,
    orientation: 'LR',
    concurrency: dag?.maxActiveTasks ?? numOrNull(row.max_active_tasks) ?? 0,
    start_date: dag?.startDate ?? null,
    dag_run_timeout: timeDelta(dag?.dagrunTimeoutMs ?? null),
    doc_md: dag?.docMd ?? null,
    default_view: 'grid',
    params: dag?.params ?? {},
    end_date: dag?.endDate ?? null,
    is_paused_upon_creation: pausedAtCreation,
    last_parsed: isoOrNull(row.last_parsed_time),
    template_search_path: null,
    render_template_as_native_obj: false,
  };
}
