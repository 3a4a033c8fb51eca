import type { EntityManager } from 'typeorm';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../sql';
import { markTryEnded } from './task-instance-transitions';

/** Why a try lost to a dead scheduler ends (the task log and the API show it). */
export const LOST_TO_PLATFORM_REASON = 'lost to the platform (scheduler restart)';

/**
 * Why a try run by hand (`dagctl tasks run`) ends once that hand run is gone: its process died
 * (killed, out of memory, its machine lost) or fell silent for `scheduler.zombie_threshold`.
 */
export const HAND_RUN_LOST_REASON = 'lost to the platform (its tasks run process is gone)';

/**
 * Why a try claimed by a live scheduler that none of its task processes runs ends: usually its claim
 * committed although the scheduler saw it fail (the connection dropped during COMMIT), see
 * endStrandedClaims.
 */
export const STRANDED_CLAIM_REASON = 'lost to the platform (claimed by this scheduler, but no task process runs it)';

/**
 * running → up_for_retry for a try the platform lost (its scheduler or its hand run died under it,
 * or its claim was stranded), WITHOUT using one of the task's retries: max_tries grows by one with
 * platform_retries, so the next try (a new try number, never this one again) still has every retry
 * the task had. Due at once. Returns whether the try moved.
 */
export async function markTryLostToPlatform(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  at: Date,
  reason: string = LOST_TO_PLATFORM_REASON,
): Promise<boolean> {
  const moved = await markTryEnded(m, key, tryNumber, {
    state: 'up_for_retry',
    at,
    reason,
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
