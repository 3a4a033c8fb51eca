import type { DataSource, EntityManager } from 'typeorm';
import { withinTransaction } from '../transaction';
import { chunk, execSql, isPostgres } from '../sql';
import { type TaskInstanceKey, tryKeyParams, tryKeyString } from '../../core/task-instance-key';

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
 * claimTryStartsIn, in a transaction of its own. On SQLite a lone claim is a transaction too: the
 * process's one connection may be inside the scheduler loop's transaction, and a claim must neither
 * join it (and roll back with it) nor commit per try.
 */
export async function claimTryStarts(ds: DataSource, claims: TryStartClaimRequest[]): Promise<boolean[]> {
  if (claims.length === 1 && ds.options.type === 'postgres') {
    const [only] = claims;
    return [await claimTryStart(ds, only.key, only.tryNumber, only.start)];
  }
  return withinTransaction(ds, (manager) => claimTryStartsIn(manager, claims));
}

/** Rows per claiming statement on PostgreSQL: 9 bound parameters each, well under its limit. */
const CLAIMS_PER_STATEMENT = 500;

/**
 * claimTryStart for several tries in the caller's transaction, answering each in order. A try named
 * twice wins at most once: only its first claim is tried.
 *
 * On PostgreSQL one guarded UPDATE per 500 claims (the same guard, row by row) saves a round trip
 * per try. SQLite claims one by one: its statements cost no round trip, and with no statistics
 * its planner joins a larger VALUES list by walking every queued row instead of the primary key.
 */
export async function claimTryStartsIn(m: EntityManager, claims: TryStartClaimRequest[]): Promise<boolean[]> {
  const ids = claims.map((claim) => tryKeyString(claim.key, claim.tryNumber));
  // Each try's first claim, in order, is the one tried: a repeat of a try loses untried.
  const firstOfTry = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!firstOfTry.has(id)) firstOfTry.set(id, i);
  });
  const firsts = [...firstOfTry.values()].map((i) => claims[i]);
  const won =
    claims.length === 1 || !isPostgres(m) ? await claimOneByOne(m, firsts) : await claimByStatements(m, firsts);
  return ids.map((id, i) => firstOfTry.get(id) === i && won.has(id));
}

/** The tries (as tryKeyString) won of claims naming distinct tries, one statement each. */
async function claimOneByOne(m: EntityManager, claims: TryStartClaimRequest[]): Promise<Set<string>> {
  const won = new Set<string>();
  for (const { key, tryNumber, start } of claims)
    if (await claimTryStart(m, key, tryNumber, start)) won.add(tryKeyString(key, tryNumber));
  return won;
}

/** The tries (as tryKeyString) won of claims naming distinct tries, one statement per 500 (PostgreSQL). */
async function claimByStatements(m: EntityManager, claims: TryStartClaimRequest[]): Promise<Set<string>> {
  const won = new Set<string>();
  for (const part of chunk(claims, CLAIMS_PER_STATEMENT)) {
    const params = part.flatMap(({ key, tryNumber, start }) => [
      ...tryKeyParams(key, tryNumber),
      start.at.toISOString(),
      start.hostname,
      start.pid,
      start.queuedByJobId,
    ]);
    // Typed, so that PostgreSQL compares the integer columns with integers.
    const row =
      '(CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS INTEGER), CAST(? AS INTEGER), ' +
      'CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS INTEGER), CAST(? AS INTEGER))';
    const { records } = await execSql<{
      dag_id: string;
      run_id: string;
      task_id: string;
      map_index: number | string;
      try_number: number | string;
    }>(
      m,
      `UPDATE task_instance SET state = 'running', start_date = c.column6, hostname = c.column7, pid = c.column8,
         updated_at = c.column6
       FROM (VALUES ${Array(part.length).fill(row).join(', ')}) AS c
       WHERE task_instance.dag_id = c.column1 AND task_instance.run_id = c.column2
         AND task_instance.task_id = c.column3 AND task_instance.map_index = c.column4
         AND task_instance.try_number = c.column5 AND task_instance.state = 'queued'
         AND task_instance.queued_by_job_id = c.column9
       RETURNING dag_id, run_id, task_id, map_index, try_number`,
      params,
    );
    for (const r of records)
      won.add(
        tryKeyString(
          { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: Number(r.map_index) },
          Number(r.try_number),
        ),
      );
  }
  return won;
}
