import { columnText, isoOrNull } from './api-dates';

export const XCOM_COLUMNS = 'x.dag_id, x.run_id, x.task_id, x.map_index, x.key, x.timestamp, r.logical_date';
export const XCOM_FROM = 'xcom x JOIN dag_run r ON r.dag_id = x.dag_id AND r.run_id = x.run_id';

export function xcomItemJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    key: row.key,
    timestamp: isoOrNull(row.timestamp),
    execution_date: isoOrNull(row.logical_date),
    task_id: row.task_id,
    dag_id: row.dag_id,
    // dagctl extras
    dag_run_id: row.run_id,
    map_index: Number(row.map_index ?? -1),
  };
}

/** Airflow's `XCom.value` is a string: strings as they are, anything else as JSON text. */
export function xcomValueText(stored: unknown): string {
  if (stored === null || stored === undefined) return 'null';
  const text = columnText(stored);
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'string' ? parsed : text;
  } catch {
    return text;
  }
}
