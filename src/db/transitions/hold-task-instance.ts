import type { EntityManager } from 'typeorm';
import { TaskState, TaskStateOrNone } from '../../core/states';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../sql';

/**
 * The states a task instance may be held in: not queued yet (none, scheduled, waiting for a retry
 * or a sensor's next poke). Once queued a try is the executor's; holding it would hold nothing.
 */
export const HOLDABLE_STATES: readonly TaskStateOrNone[] = [
  null,
  TaskState.SCHEDULED,
  TaskState.UP_FOR_RETRY,
  TaskState.UP_FOR_RESCHEDULE,
];

const HOLDABLE_GUARD = `(state IS NULL OR state IN (${HOLDABLE_STATES.filter((s) => s !== null)
  .map((s) => `'${s}'`)
  .join(', ')}))`;
const KEY_WHERE = 'dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?';

function keyParams(key: TaskInstanceKey): unknown[] {
  return [key.dagId, key.runId, key.taskId, key.mapIndex];
}

/**
 * Hold one task instance that is not queued yet: the queuer leaves it (NotHeldDep, and markQueued
 * takes only rows not held). Guarded on the holdable states, so a hold racing the queuer either
 * wins (the try is not queued) or moves nothing (the try was queued first). A hold already in
 * place gets the new reason. Returns whether the row was held.
 */
export async function holdTaskInstance(
  m: EntityManager,
  key: TaskInstanceKey,
  hold: { by: string | null; reason: string | null },
  now: Date,
): Promise<boolean> {
  const { affected } = await execSql(
    m,
    `UPDATE task_instance SET held = ?, held_by = ?, hold_reason = ?, updated_at = ?
     WHERE ${KEY_WHERE} AND ${HOLDABLE_GUARD}`,
    [true, hold.by, hold.reason, now.toISOString(), ...keyParams(key)],
  );
  return affected > 0;
}

/** Release a held task instance (in whatever state it is). Returns whether a hold was released. */
export async function resumeTaskInstance(m: EntityManager, key: TaskInstanceKey, now: Date): Promise<boolean> {
  const { affected } = await execSql(
    m,
    `UPDATE task_instance SET held = ?, held_by = NULL, hold_reason = NULL, updated_at = ?
     WHERE ${KEY_WHERE} AND held = ?`,
    [false, now.toISOString(), ...keyParams(key), true],
  );
  return affected > 0;
}
