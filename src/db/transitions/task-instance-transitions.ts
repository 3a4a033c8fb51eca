import type { EntityManager } from 'typeorm';
import { TaskState, TaskStateOrNone } from '../../core/states';
import { TaskInstanceKey, tryKeyParams, tryKeyString } from '../../core/task-instance-key';
import type { SerializedTask } from '../../core/serialized-dag';
import { chunk, execSql, isPostgres, placeholders } from '../sql';
import { clearXComs } from './clear-xcoms';

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

/** The columns a try's history row is written with. */
const HISTORY_COLUMNS =
  'dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration, hostname, end_reason';

/** A reschedule gives the try back and remembers when the first reschedule happened. */
const RESCHEDULE_GIVES_THE_TRY_BACK =
  ', try_number = try_number - 1, first_reschedule_date = COALESCE(first_reschedule_date, ?)';

function stateGuard(from: readonly TaskStateOrNone[]): { sql: string; params: unknown[] } {
  const named = from.filter((s): s is TaskState => s !== null);
  const parts: string[] = [];
  if (named.length) parts.push(`state IN (${named.map(() => '?').join(', ')})`);
  if (from.includes(null)) parts.push('state IS NULL');
  return { sql: `(${parts.join(' OR ')})`, params: named };
}

/**
 * Create the task instances of a run that do not exist yet (insert-or-ignore): one per task at
 * map index -1, or, for a mapped task whose lists are known already (`mapIndexes`), one per map
 * index. A task that has any task instance in the run already gets none: an expanded mapped task
 * of a run started again (cleared) must not get back a map index -1 beside its map indexes.
 */
export async function createTaskInstances(
  m: EntityManager,
  run: RunRef,
  tasks: Array<SerializedTask & { effectivePriority: number; mapIndexes?: readonly number[] }>,
  now: Date,
): Promise<number> {
  const { records } = await execSql<{ task_id: string }>(
    m,
    'SELECT DISTINCT task_id FROM task_instance WHERE dag_id = ? AND run_id = ?',
    [run.dagId, run.runId],
  );
  const present = new Set(records.map((r) => r.task_id));
  const rows = tasks
    .filter((t) => !present.has(t.taskId))
    .flatMap((t) => (t.mapIndexes ?? [-1]).map((mapIndex) => ({ task: t, mapIndex })));
  return insertTaskInstances(m, run, rows, null, now);
}

async function insertTaskInstances(
  m: EntityManager,
  run: RunRef,
  instances: Array<{ task: SerializedTask & { effectivePriority: number }; mapIndex: number }>,
  state: TaskState | null,
  now: Date,
): Promise<number> {
  let created = 0;
  for (const part of chunk(instances, 60)) {
    const rows = part.map(({ task: t, mapIndex }) => [
      run.dagId,
      run.runId,
      t.taskId,
      mapIndex,
      state,
      0,
      t.retries,
      t.operator,
      t.pool,
      t.poolSlots,
      t.queue,
      t.effectivePriority,
      now.toISOString(),
    ]);
    const result = await execSql(
      m,
      `INSERT INTO task_instance (dag_id, run_id, task_id, map_index, state, try_number, max_tries, operator, pool,
         pool_slots, queue, priority_weight, updated_at)
       VALUES ${placeholders(rows.length, 13)} ON CONFLICT DO NOTHING`,
      rows.flat(),
    );
    created += result.affected;
  }
  return created;
}

/**
 * Dynamic task mapping: the unexpanded task instance (map index -1, no state yet) of a mapped
 * task becomes map index 0 and map indexes 1..count-1 are created, all `scheduled` (its trigger
 * rule was met) — or all with no state (`state` null) when each map index has rules of its own
 * still to pass (depends_on_past). Guarded: only a row still at -1 without a state moves, so a
 * second scheduler (or a second pass) expands nothing twice. Returns the task instances created
 * (0: already expanded).
 */
export async function expandMappedTask(
  m: EntityManager,
  run: RunRef,
  task: SerializedTask & { effectivePriority: number },
  count: number,
  now: Date,
  state: typeof TaskState.SCHEDULED | null = TaskState.SCHEDULED,
): Promise<number> {
  if (count < 1) throw new Error(`expandMappedTask: count must be at least 1 (got ${count})`);
  const moved = await execSql(
    m,
    `UPDATE task_instance SET map_index = 0, state = ?, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = -1 AND state IS NULL`,
    [state, now.toISOString(), run.dagId, run.runId, task.taskId],
  );
  if (moved.affected === 0) return 0;
  const rest = Array.from({ length: count - 1 }, (_, i) => ({ task, mapIndex: i + 1 }));
  return 1 + (await insertTaskInstances(m, run, rest, state, now));
}

/** Why a map index past the new length of its list is removed (the task log and the API show it). */
export const REMOVED_MAP_INDEX_REASON = 'the list it was mapped over is shorter now';

/**
 * Dynamic task mapping after a clear (Airflow's `_revise_map_indexes_if_mapped`): an expanded
 * mapped task whose list now has `count` elements gets the map indexes it lacks, with no state
 * (decided like their siblings), and its map indexes at or past `count` become `removed`, with
 * their XComs gone. Guarded: missing indexes are inserted or ignored, and only instances that are
 * neither removed already nor with an executor (queued, running, restarting) are removed, so a
 * second scheduler or a second pass changes nothing.
 */
export async function reviseMappedTask(
  m: EntityManager,
  run: RunRef,
  task: SerializedTask & { effectivePriority: number },
  count: number,
  now: Date,
): Promise<{ created: number; removed: number }> {
  const keep = [TaskState.QUEUED, TaskState.RUNNING, TaskState.RESTARTING, TaskState.REMOVED];
  const removed = await execSql(
    m,
    `UPDATE task_instance SET state = 'removed', updated_at = ?, end_reason = ?, next_try_at = NULL,
       end_date = COALESCE(end_date, ?)
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index >= ?
       AND (state IS NULL OR state NOT IN (${keep.map(() => '?').join(', ')}))`,
    [now.toISOString(), REMOVED_MAP_INDEX_REASON, now.toISOString(), run.dagId, run.runId, task.taskId, count, ...keep],
  );
  if (removed.affected > 0)
    await execSql(
      m,
      `DELETE FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index >= ? AND map_index IN (
         SELECT map_index FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ? AND state = 'removed')`,
      [run.dagId, run.runId, task.taskId, count, run.dagId, run.runId, task.taskId],
    );
  const { records } = await execSql<{ map_index: number | string }>(
    m,
    'SELECT map_index FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index >= 0',
    [run.dagId, run.runId, task.taskId],
  );
  const existing = new Set(records.map((r) => Number(r.map_index)));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !existing.has(i));
  const created = await insertTaskInstances(
    m,
    run,
    missing.map((mapIndex) => ({ task, mapIndex })),
    null,
    now,
  );
  return { created, removed: removed.affected };
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
  /** Task instances of one expanded mapped task (taskIds names it); null: map index -1. */
  mapIndexes: readonly number[] | null = null,
): Promise<number> {
  if (mapIndexes) return transitionMapIndexes(m, run, taskIds, mapIndexes, from, to, now, reason);
  let moved = 0;
  const guard = stateGuard(from);
  const finished =
    to === TaskState.FAILED ||
    to === TaskState.SUCCESS ||
    to === TaskState.SKIPPED ||
    to === TaskState.UPSTREAM_FAILED ||
    to === TaskState.REMOVED;
  for (const part of chunk(taskIds, KEY_CHUNK)) {
    const result = await execSql(
      m,
      `UPDATE task_instance SET state = ?, updated_at = ?, end_reason = ?, next_try_at = NULL
         ${finished ? ', end_date = COALESCE(end_date, ?), start_date = COALESCE(start_date, ?)' : ''}
       WHERE dag_id = ? AND run_id = ? AND map_index = -1 AND task_id IN (${part.map(() => '?').join(', ')})
         AND ${guard.sql}`,
      [
        to,
        now.toISOString(),
        reason,
        ...(finished ? [now.toISOString(), now.toISOString()] : []),
        run.dagId,
        run.runId,
        ...part,
        ...guard.params,
      ],
    );
    moved += result.affected;
  }
  return moved;
}

/** transitionTasks for map indexes of one mapped task, one map index at a time (same guard). */
async function transitionMapIndexes(
  m: EntityManager,
  run: RunRef,
  taskIds: string[],
  mapIndexes: readonly number[],
  from: readonly TaskStateOrNone[],
  to: TaskState,
  now: Date,
  reason: string | null,
): Promise<number> {
  if (taskIds.length !== 1) throw new Error('transitionTasks: map indexes belong to exactly one task');
  const guard = stateGuard(from);
  const finished =
    to === TaskState.SUCCESS || to === TaskState.SKIPPED || to === TaskState.UPSTREAM_FAILED || to === TaskState.FAILED;
  let moved = 0;
  for (const part of chunk([...mapIndexes], KEY_CHUNK)) {
    const result = await execSql(
      m,
      `UPDATE task_instance SET state = ?, updated_at = ?, end_reason = ?, next_try_at = NULL
         ${finished ? ', end_date = COALESCE(end_date, ?), start_date = COALESCE(start_date, ?)' : ''}
       WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index IN (${part.map(() => '?').join(', ')})
         AND ${guard.sql}`,
      [
        to,
        now.toISOString(),
        reason,
        ...(finished ? [now.toISOString(), now.toISOString()] : []),
        run.dagId,
        run.runId,
        taskIds[0],
        ...part,
        ...guard.params,
      ],
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
 * markQueued's UPDATE for `keyCount` keys. The state guard is written `state || ''` so that no
 * index serves it: SQLite has no statistics here (no ANALYZE), and from a few OR'd keys on it
 * reads the guard through ti_state_priority, walking every scheduled row of every run for each
 * statement (in a run of 10,000 scheduled tasks, ~3 ms for 7 keys and ~100 ms for 200, against
 * 0.16 and 1.5 ms by one primary-key lookup per key). The guard itself is unchanged.
 */
export function markQueuedSql(keyCount: number): string {
  return `UPDATE task_instance SET state = 'queued', try_number = try_number + 1, queued_dttm = ?, queued_by_job_id = ?,
            updated_at = ?, start_date = NULL, end_date = NULL, duration = NULL, end_reason = NULL, hostname = NULL,
            pid = NULL
     WHERE state || '' = 'scheduled' AND held = ?
       AND (${Array(keyCount).fill('(dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?)').join(' OR ')})
     RETURNING dag_id, run_id, task_id, map_index, try_number, max_tries, queue, priority_weight, pool, pool_slots,
       first_reschedule_date`;
}

/**
 * scheduled → queued for the given keys, counting a new try. Only rows still `scheduled` move, so
 * two schedulers can never queue the same try: each sends only what its own UPDATE returned. A
 * row held meanwhile (`tasks hold`) does not move either.
 */
export async function markQueued(
  m: EntityManager,
  keys: TaskInstanceKey[],
  jobId: number | null,
  now: Date,
): Promise<QueuedTaskInstance[]> {
  const queued: QueuedTaskInstance[] = [];
  for (const part of chunk(keys, 200)) {
    const { records } = await execSql<QueuedRow>(m, markQueuedSql(part.length), [
      now.toISOString(),
      jobId,
      now.toISOString(),
      false,
      ...part.flatMap((k) => [k.dagId, k.runId, k.taskId, k.mapIndex]),
    ]);
    for (const r of records) {
      queued.push({
        dagId: r.dag_id,
        runId: r.run_id,
        taskId: r.task_id,
        mapIndex: Number(r.map_index),
        tryNumber: Number(r.try_number),
        maxTries: Number(r.max_tries),
        queue: r.queue,
        priorityWeight: Number(r.priority_weight),
        pool: r.pool,
        poolSlots: Number(r.pool_slots),
        firstRescheduleDate: r.first_reschedule_date,
      });
    }
  }
  // Each queued try starts without the XComs of an earlier try of its task instance. A first try
  // has none to clear: only a try's end writes XComs (so a task instance that never had a try,
  // try_number 0 before this queueing, holds none), and a clear removes them with the try.
  await clearXComs(
    m,
    queued.filter((q) => q.tryNumber > 1),
  );
  return queued;
}

/** queued → running for this try (the executor reported the try started). */
export async function markRunning(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  at: Date,
  hostname: string,
  pid: number | null,
): Promise<number> {
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

/** Seconds from the row's (old) start date, or `startAt` when it has none, to `endAt`; never negative. */
function durationSql(
  m: EntityManager,
  columns: { endAt: string; startDate: string; startAt: string } = {
    endAt: '?',
    startDate: 'start_date',
    startAt: '?',
  },
): string {
  const { endAt, startDate, startAt } = columns;
  return isPostgres(m)
    ? `ROUND(GREATEST(0, EXTRACT(EPOCH FROM
         (CAST(${endAt} AS timestamptz) - CAST(COALESCE(${startDate}, ${startAt}) AS timestamptz))))::numeric, 3)`
    : `ROUND(MAX(0, (julianday(${endAt}) - julianday(COALESCE(${startDate}, ${startAt}))) * 86400.0), 3)`;
}

/** A try that markTriesEnded moved: the duration its row now holds (end date minus start date). */
export interface EndedTry {
  durationSeconds: number;
}

/**
 * queued|running → the end state of this try, with its duration, in one statement. A reschedule
 * gives the try back (Airflow does the same), so sensors waiting in reschedule mode do not use up
 * retries. With `started` (the try's start event came in the same batch) the row takes start
 * date, hostname and pid as markRunning would have set them: one UPDATE instead of two.
 */
export async function markTryEnded(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  end: TryEnd,
  started: TryStart | null = null,
): Promise<number> {
  return (await endTry(m, key, tryNumber, end, started)) ? 1 : 0;
}

/** markTryEnded, telling the moved try's duration (null: the guard held, nothing moved). */
async function endTry(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  end: TryEnd,
  started: TryStart | null,
): Promise<EndedTry | null> {
  const at = end.at.toISOString();
  const startAt = started ? started.at.toISOString() : at;
  const reschedule = end.state === 'up_for_reschedule';
  const update = `UPDATE task_instance SET state = ?, end_date = ?, duration = ${durationSql(m)},
            start_date = COALESCE(start_date, ?), hostname = COALESCE(hostname, ?), pid = COALESCE(pid, ?),
            end_reason = ?, next_try_at = ?, updated_at = ?, rendered_fields = COALESCE(?, rendered_fields)
            ${reschedule ? RESCHEDULE_GIVES_THE_TRY_BACK : ''}
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ?
       AND state IN ('queued', 'running')`;
  const params = [
    end.state,
    at,
    at,
    startAt,
    startAt,
    started?.hostname ?? null,
    started?.pid ?? null,
    end.reason,
    end.nextTryAt ? end.nextTryAt.toISOString() : null,
    at,
    end.renderedFields ? JSON.stringify(end.renderedFields) : null,
    ...(reschedule ? [at] : []),
    key.dagId,
    key.runId,
    key.taskId,
    key.mapIndex,
    tryNumber,
  ];
  if (isPostgres(m)) {
    // One round trip: the history row is written from what the UPDATE returned.
    const { records } = await execSql<{ duration: number | string }>(
      m,
      `WITH ended AS (${update}
              RETURNING dag_id, run_id, task_id, map_index, start_date, end_date, duration, hostname, end_reason),
            history AS (INSERT INTO task_instance_history (${HISTORY_COLUMNS})
              SELECT dag_id, run_id, task_id, map_index, ?, ?, start_date, end_date, duration, hostname, end_reason
              FROM ended
              ON CONFLICT DO NOTHING)
       SELECT duration FROM ended`,
      [...params, tryNumber, end.state],
    );
    return records.length ? { durationSeconds: Number(records[0].duration) } : null;
  }
  const { records } = await execSql<{ duration: number }>(m, `${update} RETURNING duration`, params);
  if (!records.length) return null;
  await recordTryHistory(m, key, tryNumber, end);
  return { durationSeconds: Number(records[0].duration) };
}

/** One try's end, as markTriesEnded takes it. */
export interface TryEnding {
  key: TaskInstanceKey;
  tryNumber: number;
  end: TryEnd;
  started: TryStart | null;
}

const ENDINGS_CHUNK = 500;

/**
 * markTryEnded for a batch of tries (the scheduler applies a loop's results together): on
 * PostgreSQL ONE statement per batch ends them all and writes their history rows, instead of a
 * round trip per try. Same guard, per row: a try no longer queued/running at that try number
 * moves nothing. Returns, in order, each try that moved with its duration, null for one that did
 * not; a try named twice moves at most once (by its first ending, as applying them one by one
 * would). Reschedules go one by one (they also give the try back).
 */
export async function markTriesEnded(m: EntityManager, endings: TryEnding[]): Promise<Array<EndedTry | null>> {
  const moved: Array<EndedTry | null> = endings.map(() => null);
  const firstOfTry = new Map<string, number>();
  const batched: number[] = [];
  for (let i = 0; i < endings.length; i += 1) {
    const { key, tryNumber, end } = endings[i];
    const id = tryKeyString(key, tryNumber);
    if (firstOfTry.has(id)) continue;
    firstOfTry.set(id, i);
    if (isPostgres(m) && end.state !== 'up_for_reschedule') batched.push(i);
    else moved[i] = await endTry(m, key, tryNumber, end, endings[i].started);
  }
  for (const part of chunk(batched, ENDINGS_CHUNK)) {
    const params = part.flatMap((i) => {
      const { key, tryNumber, end, started } = endings[i];
      const at = end.at.toISOString();
      return [
        i,
        ...tryKeyParams(key, tryNumber),
        end.state,
        at,
        started ? started.at.toISOString() : at,
        started?.hostname ?? null,
        started?.pid ?? null,
        end.reason,
        end.nextTryAt ? end.nextTryAt.toISOString() : null,
        end.renderedFields ? JSON.stringify(end.renderedFields) : null,
      ];
    });
    const row =
      '(?::int, ?::varchar, ?::varchar, ?::varchar, ?::int, ?::int, ?::varchar, ?::varchar, ?::varchar, ?::varchar, ' +
      '?::int, ?::text, ?::varchar, ?::text)';
    const { records } = await execSql<{ i: number | string; duration: number | string }>(
      m,
      `WITH endings (i, dag_id, run_id, task_id, map_index, try_number, state, end_at, start_at, hostname, pid,
                    end_reason, next_try_at, rendered_fields)
              AS (VALUES ${Array(part.length).fill(row).join(', ')}),
            ended AS (
              UPDATE task_instance ti SET state = e.state, end_date = e.end_at,
                duration = ${durationSql(m, { endAt: 'e.end_at', startDate: 'ti.start_date', startAt: 'e.start_at' })},
                start_date = COALESCE(ti.start_date, e.start_at), hostname = COALESCE(ti.hostname, e.hostname),
                pid = COALESCE(ti.pid, e.pid), end_reason = e.end_reason, next_try_at = e.next_try_at,
                updated_at = e.end_at, rendered_fields = COALESCE(e.rendered_fields, ti.rendered_fields)
              FROM endings e
              WHERE ti.dag_id = e.dag_id AND ti.run_id = e.run_id AND ti.task_id = e.task_id
                AND ti.map_index = e.map_index AND ti.try_number = e.try_number AND ti.state IN ('queued', 'running')
              RETURNING e.i, ti.dag_id, ti.run_id, ti.task_id, ti.map_index, e.try_number, e.state, ti.start_date,
                ti.end_date, ti.duration, ti.hostname, ti.end_reason),
            history AS (INSERT INTO task_instance_history (${HISTORY_COLUMNS})
              SELECT dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration, hostname,
                end_reason
              FROM ended
              ON CONFLICT DO NOTHING)
       SELECT i, duration FROM ended`,
      params,
    );
    for (const r of records) moved[Number(r.i)] = { durationSeconds: Number(r.duration) };
  }
  return moved;
}

async function recordTryHistory(m: EntityManager, key: TaskInstanceKey, tryNumber: number, end: TryEnd): Promise<void> {
  await execSql(
    m,
    `INSERT INTO task_instance_history (${HISTORY_COLUMNS})
     SELECT dag_id, run_id, task_id, map_index, ?, ?, start_date, end_date, duration, hostname, end_reason
     FROM task_instance
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?
     ON CONFLICT DO NOTHING`,
    [tryNumber, end.state, key.dagId, key.runId, key.taskId, key.mapIndex],
  );
}

/** up_for_retry|up_for_reschedule whose wait is over → scheduled. */
export async function markRetriesDue(m: EntityManager, run: RunRef, taskIds: string[], now: Date): Promise<number> {
  return transitionTasks(
    m,
    run,
    taskIds,
    [TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE],
    TaskState.SCHEDULED,
    now,
  );
}

/** queued → scheduled, giving the try back: the executor never started it (orphaned, stuck). */
export async function requeueNeverStarted(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  now: Date,
): Promise<number> {
  const result = await execSql(
    m,
    `UPDATE task_instance SET state = 'scheduled', try_number = try_number - 1, queued_dttm = NULL,
       queued_by_job_id = NULL, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = 'queued'`,
    [now.toISOString(), key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber],
  );
  return result.affected;
}

/**
 * restarting → no state for this try, once every process of it is gone (its end was reported, or
 * its runner and scheduler are gone): the cleared task instance is decided again and runs as a new
 * try. Returns rows moved.
 */
export async function finishRestart(
  m: EntityManager,
  key: TaskInstanceKey,
  tryNumber: number,
  now: Date,
): Promise<number> {
  const result = await execSql(
    m,
    `UPDATE task_instance SET state = NULL, queued_dttm = NULL, queued_by_job_id = NULL, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = 'restarting'`,
    [now.toISOString(), key.dagId, key.runId, key.taskId, key.mapIndex, tryNumber],
  );
  return result.affected;
}

export interface XComWrite {
  key: TaskInstanceKey;
  values: Record<string, unknown>;
  /** Lengths of the pushed lists mapped tasks expand over (key → length), for `task_map`. */
  mapLengths?: Record<string, number>;
}

/**
 * Store what a successful try pushed. Its task instance holds no XComs here: every try starts
 * without them (clearXComs when it is queued or claimed by hand), and only the one guarded end of
 * the try writes them — so no DELETE per try (a round trip per task on PostgreSQL).
 */
export async function writeXComs(m: EntityManager, write: XComWrite, now: Date): Promise<void> {
  const { key } = write;
  await writeTaskMap(m, key, write.mapLengths ?? {});
  const entries = Object.entries(write.values).filter(([, v]) => v !== undefined);
  if (!entries.length) return;
  const rows = entries.map(([k, v]) => [
    key.dagId,
    key.runId,
    key.taskId,
    key.mapIndex,
    k,
    JSON.stringify(v),
    now.toISOString(),
  ]);
  await execSql(
    m,
    `INSERT INTO xcom (dag_id, run_id, task_id, map_index, key, value, timestamp)
     VALUES ${placeholders(rows.length, 7)}`,
    rows.flat(),
  );
}

/** Replace the `task_map` rows of a task instance: the list lengths its mapped consumers expand by. */
async function writeTaskMap(m: EntityManager, key: TaskInstanceKey, lengths: Record<string, number>): Promise<void> {
  const entries = Object.entries(lengths);
  // Only tasks that feed a mapping ever have rows: the others skip the DELETE.
  if (!entries.length) return;
  await execSql(m, `DELETE FROM task_map WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?`, [
    key.dagId,
    key.runId,
    key.taskId,
    key.mapIndex,
  ]);
  const rows = entries.map(([k, length]) => [key.dagId, key.runId, key.taskId, key.mapIndex, k, length]);
  await execSql(
    m,
    `INSERT INTO task_map (dag_id, run_id, task_id, map_index, key, length) VALUES ${placeholders(rows.length, 6)}`,
    rows.flat(),
  );
}
