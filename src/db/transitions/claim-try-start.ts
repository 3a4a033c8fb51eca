import type { DataSource, EntityManager } from 'typeorm';
import { withinTransaction } from '../transaction';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { execSql } from '../sql';

/** Where a claimed try runs. */
export interface TryStartClaim {
  at: Date;
  hostname: string;
  /** The task process about to run it (null when not known yet). */
  pid: number | null;
  /** The scheduler job that queued (sent) this try: only its own send may start it. */
  queuedByJobId: number;
}

/**
 * queued → running for exactly this try, BEFORE its command runs: the one guarded claim that makes
 * a try run at most once. Only a row still `queued` at `tryNumber` moves, so of a claim and a
 * give-back of the same try (requeueNeverStarted after a scheduler restart, requeueStuckQueued) at
 * most one wins: a claimed try is never sent again, and a try given back is never started by its
 * old claimant. The claim also names the job that queued the try: a scheduler taken for gone but
 * still alive (paused, partitioned) cannot start a try that was given back and queued again at the
 * same number by another scheduler. Returns whether this caller won.
 */
export async function claimTryStart(
  db: DataSource | EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  start: TryStartClaim,
): Promise<boolean> {
  const at = start.at.toISOString();
  const result = await execSql(
    db,
    `UPDATE task_instance SET state = 'running', start_date = ?, hostname = ?, pid = ?, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = 'queued'
       AND queued_by_job_id = ?`,
    [at, start.hostname, start.pid, at, key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber, start.queuedByJobId],
  );
  return result.affected > 0;
}

/** One claim of a batch: the try and where it starts. */
export interface TryStartClaimRequest {
  key: TaskInstanceKey;
  tryNumber: number;
  start: TryStartClaim;
}

/**
 * claimTryStart for several tries in one transaction, answering each in order. On SQLite a lone
 * claim is a transaction too: the process's one connection may be inside the scheduler loop's
 * transaction, and a claim must neither join it (and roll back with it) nor commit per try.
 */
export async function claimTryStarts(ds: DataSource, claims: TryStartClaimRequest[]): Promise<boolean[]> {
  if (claims.length === 1 && ds.options.type === 'postgres') {
    const [only] = claims;
    return [await claimTryStart(ds, only.key, only.tryNumber, only.start)];
  }
  return withinTransaction(ds, async (manager) => {
    const won: boolean[] = [];
    for (const claim of claims) won.push(await claimTryStart(manager, claim.key, claim.tryNumber, claim.start));
    return won;
  });
}
