import type { DataSource } from 'typeorm';
import type { Executor } from '../core/executor';
import { describeTi, TaskInstanceKey, tryKeyString } from '../core/task-instance-key';
import { chunk, execSql } from '../db/sql';
import { getLogger } from '../logging/logger';

const log = getLogger('scheduler');

interface TiRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  end_reason: string | null;
  run_state: string | null;
}

/**
 * Why a try the executor is running must end, or null while it may go on: its task instance must
 * still exist, be queued or running at that very try, in a run that is not finished. Everything
 * that ends a running try from outside — a task or run marked by hand, the run's dagrun_timeout,
 * a DAG deleted — shows up here as a row that moved on.
 */
export function whyTryMustEnd(row: TiRow | undefined, tryNumber: number): string | null {
  if (!row) return 'its task instance no longer exists (its DAG or run was deleted)';
  if (Number(row.try_number) !== tryNumber) return `its task instance moved on to try ${row.try_number}`;
  if (row.state !== 'queued' && row.state !== 'running')
    return `its task instance is now ${row.state ?? 'without state'}${row.end_reason ? ` (${row.end_reason})` : ''}`;
  if (row.run_state === 'success' || row.run_state === 'failed') return `its DAG run is ${row.run_state}`;
  return null;
}

/**
 * Stops (through Executor.killTry) every try the executor runs whose task instance says it must
 * not run any more. Called each loop; cheap: one query for at most `parallelism` keys. `stopped`
 * remembers tries already told, so each is stopped (and logged) once. Returns tries stopped now.
 */
export async function stopEndedTries(ds: DataSource, executor: Executor, stopped: Set<string>): Promise<number> {
  if (!executor.killTry) return 0;
  const running = executor.runningKeys();
  const live = new Set(running.map(({ key, tryNumber }) => tryKeyString(key, tryNumber)));
  for (const id of stopped) if (!live.has(id)) stopped.delete(id);
  const candidates = running.filter(({ key, tryNumber }) => !stopped.has(tryKeyString(key, tryNumber)));
  if (!candidates.length) return 0;
  const rows = new Map<string, TiRow>();
  const oneKey = '(ti.dag_id = ? AND ti.run_id = ? AND ti.task_id = ? AND ti.map_index = ?)';
  for (const part of chunk(candidates, 200)) {
    const { records } = await execSql<TiRow>(
      ds,
      `SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.state, ti.try_number, ti.end_reason,
              dr.state AS run_state
       FROM task_instance ti LEFT JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id
       WHERE ${part.map(() => oneKey).join(' OR ')}`,
      part.flatMap(({ key }) => [key.dagId, key.runId, key.taskId, key.mapIndex]),
    );
    for (const row of records) rows.set(tiKey(row), row);
  }
  let count = 0;
  for (const { key, tryNumber } of candidates) {
    const why = whyTryMustEnd(rows.get(keyString(key)), tryNumber);
    if (why === null) continue;
    stopped.add(tryKeyString(key, tryNumber));
    const reason = `stopped by the scheduler: ${why}`;
    if (executor.killTry(key, tryNumber, reason)) {
      count += 1;
      log.info(`stopping ${describeTi(key, tryNumber)}: ${why}`);
    }
  }
  return count;
}

function keyString(key: TaskInstanceKey): string {
  return [key.dagId, key.runId, key.taskId, key.mapIndex].join('\u0000');
}

function tiKey(row: TiRow): string {
  return keyString({ dagId: row.dag_id, runId: row.run_id, taskId: row.task_id, mapIndex: Number(row.map_index) });
}
