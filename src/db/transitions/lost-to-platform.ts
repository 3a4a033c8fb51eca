import type { EntityManager } from 'typeorm';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../sql';
import { markTryEnded } from './task-instance-transitions';

/** Why a try lost to a dead scheduler ends (the task log and the API show it). */
export const LOST_TO_PLATFORM_REASON = 'lost to the platform (scheduler restart)';

/**
 * running → up_for_retry for a try whose scheduler died under it, WITHOUT using one of the task's
 * retries: max_tries grows by one with platform_retries, so the next try (a new try number, never
 * this one again) still has every retry the task had. Due at once. Returns whether the try moved.
 */
export async function markTryLostToPlatform(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  at: Date,
): Promise<boolean> {
  const moved = await markTryEnded(m, key, tryNumber, {
    state: 'up_for_retry',
    at,
    reason: LOST_TO_PLATFORM_REASON,
    nextTryAt: at,
  });
  if (!moved) return false;
  await execSql(
    m,
    `UPDATE task_instance SET max_tries = max_tries + 1, platform_retries = platform_retries + 1
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = 'up_for_retry'`,
    [key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber],
  );
  return true;
}
