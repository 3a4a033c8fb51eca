import type { DataSource, EntityManager } from 'typeorm';
import { TaskState, TaskStateOrNone } from '../../core/states';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../sql';
import { clearXComs } from './clear-xcoms';

export interface ClaimTryByHand {
  key: TaskInstanceKey;
  tryNumber: number;
  /** The states the task instance may be claimed from (null: no state yet). */
  from: readonly TaskStateOrNone[];
  hostname: string;
  pid: number;
  /** The hand run's own job (a `LocalTaskJob` row, heart-beaten while the try runs). */
  jobId: number;
}

/**
 * `dagctl tasks run`: from any of `from` → running, as try `tryNumber` run by hand in this
 * process (start now, no end, no pending retry). Returns whether the row moved; a task instance
 * in another state (say, running under the scheduler) is left alone. The try is no scheduler's:
 * `queued_by_job_id` names the hand run's own LocalTaskJob, so the scheduler that queued an earlier
 * send (or this one, when run from `queued`) never takes it for one of its own claims that no
 * process ran (endStrandedClaims), nor for an orphan when it dies; and once the hand run itself is
 * gone (its process killed, its heartbeat silent), resetOrphanedTasks ends the try as lost.
 */
export async function claimTryByHand(
  db: DataSource | EntityManager,
  claim: ClaimTryByHand,
  now: Date,
): Promise<boolean> {
  const { key } = claim;
  const named = claim.from.filter((s): s is TaskState => s !== null);
  const guard = [
    ...(claim.from.includes(null) ? ['state IS NULL'] : []),
    ...(named.length ? [`state IN (${named.map(() => '?').join(', ')})`] : []),
  ];
  if (guard.length === 0) return false;
  const result = await execSql(
    db,
    `UPDATE task_instance SET state = 'running', try_number = ?, start_date = ?, end_date = NULL, duration = NULL,
            end_reason = NULL, next_try_at = NULL, hostname = ?, pid = ?, queued_by_job_id = ?,
            updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND (${guard.join(' OR ')})`,
    [
      claim.tryNumber,
      now,
      claim.hostname,
      claim.pid,
      claim.jobId,
      now,
      key.dagId,
      key.runId,
      key.taskId,
      key.mapIndex,
      ...named,
    ],
  );
  if (result.affected === 0) return false;
  // The try starts without the XComs of an earlier try (as one the scheduler queues).
  await clearXComs(db, [key]);
  return true;
}
