import { bool, isoOrNull, parseJsonText } from './api-dates';

export const DAG_RUN_COLUMNS = `r.id, r.dag_id, r.run_id, r.logical_date, r.data_interval_start, r.data_interval_end,
  r.state, r.run_type, r.external_trigger, r.conf, r.queued_at, r.start_date, r.end_date, r.last_scheduling_decision,
  r.note, r.updated_at, r.late_seconds,
  (SELECT dl.deadline_time FROM deadline dl WHERE dl.dag_id = r.dag_id AND dl.run_id = r.run_id) AS deadline,
  (SELECT dl.missed_at FROM deadline dl WHERE dl.dag_id = r.dag_id AND dl.run_id = r.run_id) AS deadline_missed_at`;

/** Airflow's `DAGRun` schema from a dag_run row (raw SQL, snake_case). */
export function dagRunJson(row: Record<string, unknown>): Record<string, unknown> {
  const conf = parseJsonText<Record<string, unknown> | null>(row.conf, null);
  return {
    dag_run_id: row.run_id,
    dag_id: row.dag_id,
    logical_date: isoOrNull(row.logical_date),
    execution_date: isoOrNull(row.logical_date),
    start_date: isoOrNull(row.start_date),
    end_date: isoOrNull(row.end_date),
    data_interval_start: isoOrNull(row.data_interval_start),
    data_interval_end: isoOrNull(row.data_interval_end),
    last_scheduling_decision: isoOrNull(row.last_scheduling_decision),
    run_type: row.run_type,
    state: row.state,
    external_trigger: bool(row.external_trigger),
    conf: conf && typeof conf === 'object' && !Array.isArray(conf) ? conf : {},
    note: row.note ?? null,
    // dagctl extras
    queued_at: isoOrNull(row.queued_at),
    updated_at: isoOrNull(row.updated_at),
    late_seconds: row.late_seconds === null || row.late_seconds === undefined ? null : Number(row.late_seconds),
    deadline: isoOrNull(row.deadline),
    deadline_missed: Boolean(row.deadline_missed_at),
    deadline_missed_at: isoOrNull(row.deadline_missed_at),
  };
}
