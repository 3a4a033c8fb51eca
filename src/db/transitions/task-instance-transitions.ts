import type { EntityManager } from 'typeorm';
import { TaskState, TaskStateOrNone } from '../../core/states';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import type { SerializedTask } from '../../core/serialized-dag';
import { chunk, execSql, isPostgres, placeholders } from '../sql';

/**
 * Every change of task instance state is one of these named, guarded transitions: an UPDATE whose
 * WHERE names the states it may leave (and the try it belongs to), reporting how many rows moved.
 * A transition that finds its row in another state moves nothing — that is how a late or duplicate
 * event, or a second scheduler, is made harmless.
 */

export interface RunRef {
  dagId: string;
  runId: string;
}

const KEY_CHUNK = 300;

function stateGuard(from: readonly TaskStateOrNone[]): { sql: string; params: unknown[] } {
  const named = from.filter((s): s is TaskState => s !== null);
  const parts: string[] = [];
  if (named.length) parts.push(`state IN (${named.map(() => '?').join(', ')})`);
  if (from.includes(null)) parts.push('state IS NULL');
  return { sql: `(${parts.join(' OR ')})`, params: named };
}

/** Create the task instances of a run that do not exist yet (insert-or-ignore). */
export async function createTaskInstances(m: EntityManager, run: RunRef, tasks: Array<SerializedTask & { effectivePriority: number }>, now: Date): Promise<number> {
  let created = 0;
  for (const part of chunk(tasks, 60)) {
    const rows = part.map((t) => [run.dagId, run.runId, t.taskId, -1, 0, t.retries, t.operator, t.pool, t.poolSlots, t.queue, t.effectivePriority, now.toISOString()]);
    const result = await execSql(
      m,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, try_number, max_tries, operator, pool, pool_slots, queue, priority_weight, updated_at)
       VALUES ${placeholders(rows.length, 12)} ON CONFLICT DO NOTHING`,
      rows.flat(),
    );
    created += result.affected;
  }
  return created;
}

/**
 * Move the given tasks of one run from any of `from` to `to` (scheduling decisions: scheduled,
 * skipped, upstream_failed, removed, or success for EmptyOperator). Returns rows moved.
 */
export async function transitionTasks(
  m: EntityManager,
  run: RunRef,
  taskIds: string[],
  from: readonly TaskStateOrNone[],
  to: TaskState,
  now: Date,
  reason: string | null = null,
): Promise<number> {
  let moved = 0;
  const guard = stateGuard(from);
  const finished = to === TaskState.SUCCESS || to === TaskState.SKIPPED || to === TaskState.UPSTREAM_FAILED || to === TaskState.REMOVED;
  for (const part of chunk(taskIds, KEY_CHUNK)) {
    const result = await execSql(
      m,
      `UPDATE task_instance SET state = ?, updated_at = ?, end_reason = ?, next_try_at = NULL
         ${finished ? ', end_date = COALESCE(end_date, ?), start_date = COALESCE(start_date, ?)' : ''}
       WHERE dag_id = ? AND run_id = ? AND map_index = -1 AND task_id IN (${part.map(() => '?').join(', ')}) AND ${guard.sql}`,
      [to, now.toISOString(), reason, ...(finished ? [now.toISOString(), now.toISOString()] : []), run.dagId, run.runId, ...part, ...guard.params],
    );
    moved += result.affected;
  }
  return moved;
}

export interface QueuedTaskInstance extends TaskInstanceKey {
  tryNumber: number;
  maxTries: number;
  queue: string;
  priorityWeight: number;
  pool: string;
  poolSlots: number;
  firstRescheduleDate: string | null;
}

interface QueuedRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  max_tries: number;
  queue: string;
  priority_weight: number;
  pool: string;
  pool_slots: number;
  first_reschedule_date: string | null;
}

/**
 * scheduled → queued for the given keys, counting a new try. Only rows still `scheduled` move, so
 * two schedulers can never queue the same try: each sends only what its own UPDATE returned.
 */
export async function markQueued(m: EntityManager, keys: TaskInstanceKey[], jobId: number | null, now: Date): Promise<QueuedTaskInstance[]> {
  const queued: QueuedTaskInstance[] = [];
  for (const part of chunk(keys, 200)) {
    const { records } = await execSql<QueuedRow>(
      m,
      `UPDATE task_instance SET state = 'queued', try_number = try_number + 1, queued_dttm = ?, queued_by_job_id = ?, updated_at = ?,
              start_date = NULL, end_date = NULL, duration = NULL, end_reason = NULL, hostname = NULL, pid = NULL
       WHERE state = 'scheduled' AND (${part.map(() => '(dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?)').join(' OR ')})
       RETURNING dag_id, run_id, task_id, map_index, try_number, max_tries, queue, priority_weight, pool, pool_slots, first_reschedule_date`,
      [now.toISOString(), jobId, now.toISOString(), ...part.flatMap((k) => [k.dagId, k.runId, k.taskId, k.mapIndex])],
    );
    for (const r of records) {
      queued.push({
        dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: Number(r.map_index), tryNumber: Number(r.try_number), maxTries: Number(r.max_tries),
        queue: r.queue, priorityWeight: Number(r.priority_weight), pool: r.pool, poolSlots: Number(r.pool_slots), firstRescheduleDate: r.first_reschedule_date,
      });
    }
  }
  return queued;
}

/** queued → running for this try (the executor reported the try started). */
export async function markRunning(m: EntityManager, key: TaskInstanceKey, tryNumber: number, at: Date, hostname: string, pid: number | null): Promise<number> {
  const result = await execSql(
    m,
    `UPDATE task_instance SET state = 'running', start_date = ?, hostname = ?, pid = ?, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = 'queued'`,
    [at.toISOString(), hostname, pid, at.toISOString(), key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber],
  );
  return result.affected;
}

export type TryEndState = 'success' | 'failed' | 'skipped' | 'up_for_retry' | 'up_for_reschedule';

export interface TryEnd {
  state: TryEndState;
  at: Date;
  reason: string | null;
  /** up_for_retry / up_for_reschedule: when it may run again. */
  nextTryAt: Date | null;
  renderedFields?: Record<string, unknown> | null;
}

/** The start of a try, when its `started` event is applied together with its end. */
export interface TryStart {
  at: Date;
  hostname: string;
  pid: number | null;
}

/** Seconds from the row's (old) start_date, or `?` when it has none, to `?`; never negative. */
function durationSql(m: EntityManager): string {
  return isPostgres(m)
    ? 'ROUND(GREATEST(0, EXTRACT(EPOCH FROM (CAST(? AS timestamptz) - CAST(COALESCE(start_date, ?) AS timestamptz))))::numeric, 3)'
    : 'ROUND(MAX(0, (julianday(?) - julianday(COALESCE(start_date, ?))) * 86400.0), 3)';
}

/**
 * queued|running → the end state of this try, with its duration, in one statement. A reschedule
 * gives the try back (Airflow does the same), so sensors waiting in reschedule mode do not use up
 * retries. With `started` (the try's start event came in the same batch) the row takes start
 * date, hostname and pid as markRunning would have set them: one UPDATE instead of two.
 */
export async function markTryEnded(m: EntityManager, key: TaskInstanceKey, tryNumber: number, end: TryEnd, started: TryStart | null = null): Promise<number> {
  const at = end.at.toISOString();
  const startAt = started ? started.at.toISOString() : at;
  const reschedule = end.state === 'up_for_reschedule';
  const update = `UPDATE task_instance SET state = ?, end_date = ?, duration = ${durationSql(m)}, start_date = COALESCE(start_date, ?),
            hostname = COALESCE(hostname, ?), pid = COALESCE(pid, ?), end_reason = ?, next_try_at = ?, updated_at = ?,
            rendered_fields = COALESCE(?, rendered_fields)
            ${reschedule ? ', try_number = try_number - 1, first_reschedule_date = COALESCE(first_reschedule_date, ?)' : ''}
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state IN ('queued', 'running')`;
  const params = [
    end.state, at, at, startAt, startAt, started?.hostname ?? null, started?.pid ?? null,
    end.reason, end.nextTryAt ? end.nextTryAt.toISOString() : null, at,
    end.renderedFields ? JSON.stringify(end.renderedFields) : null,
    ...(reschedule ? [at] : []),
    key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber,
  ];
  if (isPostgres(m)) {
    // One round trip: the history row is written from what the UPDATE returned.
    const { records } = await execSql<{ n: number | string }>(
      m,
      `WITH ended AS (${update} RETURNING dag_id, run_id, task_id, map_index, start_date, end_date, duration, hostname, end_reason),
            history AS (INSERT INTO task_instance_history (dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration, hostname, end_reason)
              SELECT dag_id, run_id, task_id, map_index, ?, ?, start_date, end_date, duration, hostname, end_reason FROM ended
              ON CONFLICT DO NOTHING)
       SELECT COUNT(*) AS n FROM ended`,
      [...params, tryNumber, end.state],
    );
    return Number(records[0].n) > 0 ? 1 : 0;
  }
  const result = await execSql(m, update, params);
  if (result.affected === 0) return 0;
  await recordTryHistory(m, key, tryNumber, end);
  return 1;
}

async function recordTryHistory(m: EntityManager, key: TaskInstanceKey, tryNumber: number, end: TryEnd): Promise<void> {
  await execSql(
    m,
    `INSERT INTO task_instance_history (dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration, hostname, end_reason)
     SELECT dag_id, run_id, task_id, map_index, ?, ?, start_date, end_date, duration, hostname, end_reason FROM task_instance
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?
     ON CONFLICT DO NOTHING`,
    [tryNumber, end.state, key.dagId, key.runId, key.taskId, key.mapIndex],
  );
}

/** up_for_retry|up_for_reschedule whose wait is over → scheduled. */
export async function markRetriesDue(m: EntityManager, run: RunRef, taskIds: string[], now: Date): Promise<number> {
  return transitionTasks(m, run, taskIds, [TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE], TaskState.SCHEDULED, now);
}

/** queued → scheduled, giving the try back: the executor never started it (orphaned, stuck). */
export async function requeueNeverStarted(m: EntityManager, key: TaskInstanceKey, tryNumber: number, now: Date): Promise<number> {
  const result = await execSql(
    m,
    `UPDATE task_instance SET state = 'scheduled', try_number = try_number - 1, queued_dttm = NULL, queued_by_job_id = NULL, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = 'queued'`,
    [now.toISOString(), key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber],
  );
  return result.affected;
}

export interface XComWrite {
  key: TaskInstanceKey;
  values: Record<string, unknown>;
}

/** Replace the XComs of a try (a retry overwrites what an earlier try pushed). */
export async function writeXComs(m: EntityManager, write: XComWrite, now: Date): Promise<void> {
  const { key } = write;
  await execSql(m, `DELETE FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?`, [key.dagId, key.runId, key.taskId, key.mapIndex]);
  const entries = Object.entries(write.values).filter(([, v]) => v !== undefined);
  if (!entries.length) return;
  const rows = entries.map(([k, v]) => [key.dagId, key.runId, key.taskId, key.mapIndex, k, JSON.stringify(v), now.toISOString()]);
  await execSql(m, `INSERT INTO xcom (dag_id, run_id, task_id, map_index, key, value, timestamp) VALUES ${placeholders(rows.length, 7)}`, rows.flat());
}
