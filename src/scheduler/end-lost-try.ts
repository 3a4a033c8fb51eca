import type { EntityManager } from 'typeorm';
import { execSql } from '../db/sql';
import { markTryLostToPlatform } from '../db/transitions/lost-to-platform';
import { markTryEnded } from '../db/transitions/task-instance-transitions';
import type { DagViewCache } from './dag-view-cache';
import { computeRetryDelayMs } from './retry-delay';
import type { TryRef } from './tries-of-job';

/** A running try that the platform lost: no process of it runs, and none will. */
export interface LostTry extends TryRef {
  /** The task instance's `platform_retries` (tries lost before this one). */
  platformRetries: number;
}

/**
 * Ends a try lost to the platform (its scheduler died, or its claim was stranded): it runs again as
 * a new try that does not use one of the task's retries, up to `scheduler.max_platform_retries`
 * such losses per task instance; after that the loss counts as a failure (a zombie task), retried
 * or failed per the task's retries. `reason` names the loss. Returns whether the try moved.
 */
export async function endTryLostToPlatform(
  m: EntityManager,
  views: DagViewCache,
  lost: LostTry,
  maxPlatformRetries: number,
  reason: string,
  now: Date,
): Promise<boolean> {
  const { key, tryNumber } = lost;
  if (lost.platformRetries < maxPlatformRetries) return markTryLostToPlatform(m, key, tryNumber, now, reason);
  const { records: ti } = await execSql<{ max_tries: number }>(
    m,
    `SELECT max_tries FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?`,
    [key.dagId, key.runId, key.taskId, key.mapIndex],
  );
  const task = (views.peek(key.dagId) ?? (await views.get(key.dagId)))?.tasks.get(key.taskId);
  const why =
    `${reason}; scheduler.max_platform_retries (${maxPlatformRetries}) used up, ` +
    'so it counts as a failure (zombie task)';
  const retry = task && tryNumber <= Number(ti[0]?.max_tries ?? 0);
  const moved = await markTryEnded(
    m,
    key,
    tryNumber,
    retry
      ? {
          state: 'up_for_retry',
          at: now,
          reason: why,
          nextTryAt: new Date(
            now.getTime() + computeRetryDelayMs(task, tryNumber, `${key.dagId}.${key.runId}.${key.taskId}`),
          ),
        }
      : { state: 'failed', at: now, reason: why, nextTryAt: null },
  );
  return moved > 0;
}
