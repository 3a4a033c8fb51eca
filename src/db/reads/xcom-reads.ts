import type { DataSource, EntityManager } from 'typeorm';
import { execSql } from '../sql';

export interface XComRow {
  task_id: string;
  map_index: number | string;
  key: string;
  value: string | null;
}

/** Every XCom of one run, as stored (JSON text). */
export async function readRunXComRows(
  db: DataSource | EntityManager,
  dagId: string,
  runId: string,
): Promise<XComRow[]> {
  const { records } = await execSql<XComRow>(
    db,
    `SELECT task_id, map_index, key, value FROM xcom WHERE dag_id = ? AND run_id = ?`,
    [dagId, runId],
  );
  return records;
}

/**
 * What `xcomPull` sees, taskId → key → value: the stored JSON parsed; for a mapped task (rows with
 * map_index ≥ 0) the list of its task instances' values in map-index order, as Airflow gives.
 */
export function groupRunXComs(rows: readonly XComRow[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const mapped = new Map<string, Array<[number, unknown]>>();
  for (const row of rows) {
    const value = row.value === null ? null : (JSON.parse(row.value) as unknown);
    const mapIndex = Number(row.map_index);
    if (mapIndex < 0) {
      (out[row.task_id] ??= {})[row.key] = value;
      continue;
    }
    const slot = `${row.task_id}\u0000${row.key}`;
    let list = mapped.get(slot);
    if (!list) mapped.set(slot, (list = []));
    list.push([mapIndex, value]);
  }
  for (const [slot, list] of mapped) {
    const [taskId, key] = slot.split('\u0000');
    (out[taskId] ??= {})[key] = list.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }
  return out;
}
