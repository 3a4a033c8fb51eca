import type { DataSource, EntityManager } from 'typeorm';
import type { SerializedTask } from '../core/serialized-dag';
import { expandedLength } from '../core/map-expansion';
import { execSql } from '../db/sql';
import type { RunRef } from '../db/transitions/task-instance-transitions';

/** How many task instances a mapped task expands into, or why it cannot expand. */
export type MapLength = { ok: true; count: number } | { ok: false; reason: string };

/**
 * The length of each list a mapped task expands over, without reading a value: literal lists
 * from the serialized DAG, an upstream task's list from `task_map` (recorded when it was pushed),
 * a mapped upstream task's (reduced) list from how many of its instances pushed that XCom.
 */
export async function mapLengthOf(
  db: DataSource | EntityManager,
  run: RunRef,
  dagTasks: ReadonlyMap<string, SerializedTask>,
  task: SerializedTask,
  maxMapLength: number,
): Promise<MapLength> {
  const where = `DAG '${run.dagId}', task '${task.taskId}'`;
  const lengths: number[] = [];
  for (const arg of task.mapped?.args ?? []) {
    if ('literal' in arg) {
      lengths.push(arg.literal.length);
      continue;
    }
    const { taskId, key } = arg.upstream;
    if (dagTasks.get(taskId)?.mapped) {
      const { records } = await execSql<{ n: number | string }>(
        db,
        'SELECT COUNT(*) AS n FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = ? AND key = ? AND map_index >= 0',
        [run.dagId, run.runId, taskId, key],
      );
      lengths.push(Number(records[0]?.n ?? 0));
      continue;
    }
    const { records } = await execSql<{ length: number | string }>(
      db,
      'SELECT length FROM task_map WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = -1 AND key = ?',
      [run.dagId, run.runId, taskId, key],
    );
    if (!records.length)
      return {
        ok: false,
        reason: `${where}: cannot expand over XCom '${key}' of task '${taskId}': it pushed no list in this run`,
      };
    lengths.push(Number(records[0].length));
  }
  const count = expandedLength(lengths);
  if (count > maxMapLength)
    return {
      ok: false,
      reason:
        `${where}: expands into ${count} task instances, more than core.max_map_length (${maxMapLength}); ` +
        'raise it or expand over shorter lists',
    };
  return { ok: true, count };
}

/** A mapped task over literal lists only: its length is known when the run is created. */
export function literalMapLength(task: SerializedTask): number | null {
  const args = task.mapped?.args ?? [];
  if (!args.length || !args.every((arg) => 'literal' in arg)) return null;
  return expandedLength(args.map((arg) => ('literal' in arg ? arg.literal.length : 0)));
}
