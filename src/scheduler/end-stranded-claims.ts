import type { DataSource } from 'typeorm';
import { adoptsOrphans, type Executor } from '../core/executor';
import { describeTi, tryKeyString } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import { STRANDED_CLAIM_REASON } from '../db/transitions/lost-to-platform';
import type { ExistsCondition } from '../db/which-exist';
import { getLogger } from '../logging/logger';
import type { DagViewCache } from './dag-view-cache';
import { endTryLostToPlatform } from './end-lost-try';
import { moveEachTry, tryRefOf, type TryRef, type TryRow } from './tries-of-job';

const log = getLogger('scheduler');

/** Which of this scheduler's claims endStrandedClaims looks at. */
export interface ClaimsOfJob {
  /** The scheduler job that queued the tries (only its own sends are claimed for it). */
  jobId: number;
  /** This scheduler's host: its executor's claims name it. */
  hostname: string;
  /** Only tries claimed before this (now − `scheduler.zombie_threshold`). */
  claimedBefore: Date;
}

/** This job's tries running (claimed) on this host since before the threshold. */
const CLAIMED_LONG_AGO = `state = 'running' AND queued_by_job_id = ? AND hostname = ? AND start_date < ?`;
const claimedLongAgoParams = (claims: ClaimsOfJob): unknown[] => [
  claims.jobId,
  claims.hostname,
  claims.claimedBefore.toISOString(),
];

/** Whether endStrandedClaims has anything to look at (usually the tries running longest, all known). */
export function claimedLongAgo(claims: ClaimsOfJob): ExistsCondition {
  return { sql: `SELECT 1 FROM task_instance WHERE ${CLAIMED_LONG_AGO}`, params: claimedLongAgoParams(claims) };
}

/** Whether the executor runs every try of this scheduler in its own process tree (local, sequential). */
export function runsTriesInProcessTree(executor: Executor): boolean {
  return !adoptsOrphans(executor);
}

/**
 * Tries this live scheduler claimed (queued → running) that no process of its executor runs: a
 * claim whose COMMIT reached PostgreSQL although the connection dropped before the answer did (or,
 * rarer still, a try whose end report could not be written and was given up).
 * The scheduler took it as refused (the task process counts a rejected claim as a refusal; the loop
 * gives back the processes set aside in a failed transaction), so nothing runs the try and no
 * event will ever end it. Once claimed longer than `scheduler.zombie_threshold` such a try is lost
 * to the platform, as a dead scheduler's would be (endTryLostToPlatform: a new try follows without
 * using one of the task's retries, up to `scheduler.max_platform_retries`).
 *
 * `knownAtDrain` is what the executor ran when the loop drained its events, read in the same
 * synchronous step; the caller applied those events before calling this. Why no try that runs, or
 * whose end is on its way, is ended here:
 * - the executor knows a try before its claim is asked: PoolExecutor.queueWorkload records it in
 *   `runningKeys` before the task process asks for the claim, and a try claimed in the loop's
 *   transaction (claimOnReservedProcesses) is handed over right after the commit, in the same
 *   loop, before this check. While it runs it stays known.
 * - it forgets a try and reports the try's end (when it has one) in one synchronous step. A try
 *   unknown now and at the drain either ended before the drain — its end was drained and applied,
 *   so its row is no longer running — or ended with no report: its claim was refused (not ours,
 *   or the stranded case this looks for). A try known at the drain and gone since has its end
 *   still in the buffer: left for the next loop, which applies it.
 * - the threshold adds a margin over a just-claimed try whose hand-over is still on its way
 *   (handed to a process that cannot take it reports `lost`, applied the next loop).
 * - a try is ended only when two checks in a row, in different loops, found it so (`suspects`
 *   holds what the last check found): any end already reported when the first check looked has
 *   been drained and applied by the loop of the second, so the row is no longer running. That
 *   also covers a try claimed and ended within one loop after its drain while a backward step of
 *   the clock made its claim look old.
 * Tries run by hand (`tasks run`) are no scheduler's: claimTryByHand names the hand run's own
 * LocalTaskJob in queued_by_job_id, never this job (resetOrphanedTasks ends them once it is gone).
 *
 * Only for executors whose tries all run in this process tree: a bullmq try runs on a worker that
 * claims it in Redis and reports its start as an event (kept until applied), never through this
 * claim, and the executor adopts what workers run rather than knowing it all in memory.
 * Returns how many tries were ended; `suspects` is left holding the tries found this time and not
 * ended (the caller clears it when its check finds no claim older than the threshold).
 */
export async function endStrandedClaims(
  ds: DataSource,
  views: DagViewCache,
  executor: Executor,
  claims: ClaimsOfJob,
  knownAtDrain: TryRef[],
  suspects: Set<string>,
  options: { maxPlatformRetries: number; now: Date },
): Promise<number> {
  if (!runsTriesInProcessTree(executor)) return 0;
  const { records } = await execSql<TryRow & { platform_retries: number }>(
    ds,
    `SELECT dag_id, run_id, task_id, map_index, try_number, platform_retries FROM task_instance
     WHERE ${CLAIMED_LONG_AGO}`,
    claimedLongAgoParams(claims),
  );
  if (!records.length) return 0;
  const known = new Set(
    [...knownAtDrain, ...executor.runningKeys()].map(({ key, tryNumber }) => tryKeyString(key, tryNumber)),
  );
  const found = records
    .map((row) => ({ ...tryRefOf(row), platformRetries: Number(row.platform_retries) }))
    .filter((t) => !known.has(tryKeyString(t.key, t.tryNumber)));
  // Found by the last check too: ended now. Found first now: ended by the next check if still so.
  const stranded = found.filter((t) => suspects.has(tryKeyString(t.key, t.tryNumber)));
  suspects.clear();
  for (const t of found) if (!stranded.includes(t)) suspects.add(tryKeyString(t.key, t.tryNumber));
  if (!stranded.length) return 0;
  const { maxPlatformRetries, now } = options;
  const ended = await moveEachTry(ds, stranded, async (m, t) =>
    (await endTryLostToPlatform(m, views, t, maxPlatformRetries, STRANDED_CLAIM_REASON, now)) ? 1 : 0,
  );
  if (ended)
    log.warn(
      `ended ${ended} tries lost to the platform: claimed by this scheduler, but no task process runs them ` +
        `(${stranded.map((t) => describeTi(t.key, t.tryNumber)).join(', ')})`,
    );
  return ended;
}
