import type { DataSource } from 'typeorm';
import type { ExternalRunQuery, ExternalRunStates } from '../../core/cross-dag';
import { execSql } from '../sql';

/** The run (and some of its task instances' states), or null when the DAG has no such run. */
export async function readExternalRunStates(
  ds: DataSource,
  query: ExternalRunQuery,
): Promise<ExternalRunStates | null> {
  const where = query.runId
    ? { sql: 'run_id = ?', value: query.runId }
    : query.logicalDate
      ? { sql: 'logical_date = ?', value: new Date(query.logicalDate).toISOString() }
      : query.triggeredByTask
        ? { sql: 'triggered_by_task = ?', value: query.triggeredByTask }
        : null;
  if (!where) throw new Error('a run of another DAG is asked for by run id, logical date or triggering task');
  const runs = await execSql<{ run_id: string; logical_date: string | Date; state: string }>(
    ds,
    `SELECT run_id, logical_date, state FROM dag_run WHERE dag_id = ? AND ${where.sql}
     ORDER BY id DESC LIMIT 1`,
    [query.dagId, where.value],
  );
  if (!runs.records.length) return null;
  const run = runs.records[0];
  const taskStates: Record<string, (string | null)[]> = {};
  const taskIds = query.taskIds ?? [];
  for (const taskId of taskIds) taskStates[taskId] = [];
  if (taskIds.length) {
    const rows = await execSql<{ task_id: string; state: string | null }>(
      ds,
      `SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id IN (${taskIds
        .map(() => '?')
        .join(', ')})`,
      [query.dagId, run.run_id, ...taskIds],
    );
    for (const row of rows.records) taskStates[row.task_id].push(row.state);
  }
  return { runId: run.run_id, logicalDate: new Date(run.logical_date).toISOString(), state: run.state, taskStates };
}
