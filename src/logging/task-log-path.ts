import path from 'node:path';
import type { TaskInstanceKey } from '../core/task-instance-key';

/**
 * One path component from an id: ids come from users (run ids from the API, task ids from DAG
 * files), so separators, '..' and control characters are replaced and a log can never land
 * outside the base folder.
 */
export function sanitizeLogComponent(value: string): string {
  const cleaned = value
    .replace(/[/\\\0]/g, '_')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f]/g, '_')
    .replace(/\.\./g, '__');
  return cleaned === '' ? '_' : cleaned;
}

/**
 * Airflow's layout: `$base/dag_id=<dag>/run_id=<run>/task_id=<task>/[map_index=<i>/]attempt=<n>.log`
 * (map_index only for mapped tasks).
 */
export function taskLogPath(baseLogFolder: string, key: TaskInstanceKey, tryNumber: number): string {
  const base = path.resolve(baseLogFolder);
  const parts = [
    `dag_id=${sanitizeLogComponent(key.dagId)}`,
    `run_id=${sanitizeLogComponent(key.runId)}`,
    `task_id=${sanitizeLogComponent(key.taskId)}`,
  ];
  if (key.mapIndex >= 0) parts.push(`map_index=${key.mapIndex}`);
  parts.push(`attempt=${Math.max(0, Math.trunc(tryNumber))}.log`);
  const file = path.join(base, ...parts);
  if (!file.startsWith(base + path.sep)) throw new Error(`task log path escapes ${base}: ${file}`);
  return file;
}

/** A DAG-level callback's log: `$base/callbacks/dag_id=<dag>/run_id=<run>/<kind>.log`. */
export function callbackLogPath(baseLogFolder: string, dagId: string, runId: string, kind: string): string {
  const base = path.resolve(baseLogFolder);
  const file = path.join(
    base,
    'callbacks',
    `dag_id=${sanitizeLogComponent(dagId)}`,
    `run_id=${sanitizeLogComponent(runId)}`,
    `${sanitizeLogComponent(kind)}.log`,
  );
  if (!file.startsWith(base + path.sep)) throw new Error(`callback log path escapes ${base}: ${file}`);
  return file;
}
