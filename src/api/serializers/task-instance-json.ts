import { isoOrNull, numOrNull, parseJsonText } from './api-dates';

/** Task instance columns joined with their run's logical date (Airflow's execution_date). */
export const TASK_INSTANCE_COLUMNS = `ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.state, ti.try_number,
  ti.max_tries, ti.start_date, ti.end_date, ti.duration, ti.queued_dttm, ti.hostname, ti.pid, ti.operator, ti.pool,
  ti.pool_slots, ti.queue, ti.priority_weight, ti.rendered_fields, ti.note, ti.end_reason, ti.next_try_at,
  ti.held, ti.held_by, ti.hold_reason, r.logical_date`;

export const TASK_INSTANCE_FROM = 'task_instance ti JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id';

/** Airflow's `TaskInstance` schema from a joined row. */
export function taskInstanceJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    task_id: row.task_id,
    dag_id: row.dag_id,
    dag_run_id: row.run_id,
    execution_date: isoOrNull(row.logical_date),
    start_date: isoOrNull(row.start_date),
    end_date: isoOrNull(row.end_date),
    duration: numOrNull(row.duration),
    state: row.state ?? null,
    try_number: Number(row.try_number ?? 0),
    map_index: Number(row.map_index ?? -1),
    max_tries: Number(row.max_tries ?? 0),
    hostname: row.hostname ?? '',
    unixname: '',
    pool: row.pool,
    pool_slots: Number(row.pool_slots ?? 1),
    queue: row.queue ?? null,
    priority_weight: numOrNull(row.priority_weight),
    operator: row.operator ?? null,
    queued_when: isoOrNull(row.queued_dttm),
    pid: numOrNull(row.pid),
    executor_config: '{}',
    sla_miss: null,
    rendered_fields: parseJsonText<Record<string, unknown>>(row.rendered_fields, {}),
    trigger: null,
    triggerer_job: null,
    note: row.note ?? null,
    // dagctl extras
    end_reason: row.end_reason ?? null,
    next_try_at: isoOrNull(row.next_try_at),
    held: row.held === true || row.held === 1,
    held_by: row.held_by ?? null,
    hold_reason: row.hold_reason ?? null,
  };
}

/** Airflow's `TaskInstanceReference`. */
export function taskInstanceReference(ref: {
  dagId: string;
  runId: string;
  taskId: string;
  logicalDate?: string | null;
}): Record<string, unknown> {
  return { task_id: ref.taskId, dag_id: ref.dagId, dag_run_id: ref.runId, execution_date: ref.logicalDate ?? null };
}
