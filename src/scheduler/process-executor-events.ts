import type { DataSource, EntityManager } from 'typeorm';
import { TaskState } from '../core/states';
import { describeTi, TaskInstanceKey, tryKeyString } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import { withinTransaction } from '../db/transaction';
import {
  markRunning,
  markTriesEnded,
  TryEnd,
  TryEnding,
  TryStart,
  writeXComs,
  transitionTasks,
  finishRestart,
} from '../db/transitions/task-instance-transitions';
import type { ExecutorEvent, TaskOutcome } from '../core/executor';
import { getLogger } from '../logging/logger';
import { recordTryEnded, type TryEndedMetric } from '../metrics/airflow-stats';
import { recordDatasetEvent } from '../db/transitions/dataset-transitions';
import type { DagView, DagViewCache } from './dag-view-cache';
import { computeRetryDelayMs } from './retry-delay';

const log = getLogger('scheduler');

export interface AffectedRun {
  dagId: string;
  runId: string;
  /** Tasks whose try ended in this batch: only their downstream tasks can have become ready. */
  endedTaskIds: string[];
  /** The states those ends moved their task instances to (ends that moved nothing are left out). */
  endedStates: Array<{ taskId: string; state: TaskState }>;
  /** Branching or short-circuiting changed other tasks too: examine the whole run. */
  needsFullDecision: boolean;
}

/** All tasks downstream of `taskId` (transitively). */
function allDownstream(view: DagView, taskId: string): string[] {
  const seen = new Set<string>();
  const stack = [...(view.tasks.get(taskId)?.downstream ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(view.tasks.get(id)?.downstream ?? []));
  }
  return [...seen];
}

/** A failed try: up_for_retry while tries remain (and retrying is allowed), else failed. */
async function failureEnd(
  m: EntityManager,
  view: DagView | null,
  key: TaskInstanceKey,
  tryNumber: number,
  at: Date,
  reason: string,
  noRetry: boolean,
): Promise<TryEnd> {
  const { records } = await execSql<{ max_tries: number }>(
    m,
    `SELECT max_tries FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?`,
    [key.dagId, key.runId, key.taskId, key.mapIndex],
  );
  const maxTries = records.length ? Number(records[0].max_tries) : 0;
  const task = view?.tasks.get(key.taskId);
  if (!noRetry && task && tryNumber <= maxTries) {
    const delay = computeRetryDelayMs(task, tryNumber, `${key.dagId}.${key.runId}.${key.taskId}.${key.mapIndex}`);
    return { state: 'up_for_retry', at, reason, nextTryAt: new Date(at.getTime() + delay) };
  }
  return { state: 'failed', at, reason, nextTryAt: null };
}

/** How a finished try ends its task instance (a failure looks up whether tries remain). */
async function finishedEnd(
  m: EntityManager,
  view: DagView | null,
  key: TaskInstanceKey,
  tryNumber: number,
  at: Date,
  outcome: TaskOutcome,
): Promise<TryEnd> {
  switch (outcome.state) {
    case 'success':
      return { state: 'success', at, reason: null, nextTryAt: null, renderedFields: outcome.renderedFields };
    case 'skipped':
      return {
        state: 'skipped',
        at,
        reason: outcome.reason ?? null,
        nextTryAt: null,
        renderedFields: outcome.renderedFields,
      };
    case 'up_for_reschedule':
      return {
        state: 'up_for_reschedule',
        at,
        reason: outcome.reason ?? null,
        nextTryAt: outcome.rescheduleAt ? new Date(outcome.rescheduleAt) : at,
        renderedFields: outcome.renderedFields,
      };
    default:
      return {
        ...(await failureEnd(m, view, key, tryNumber, at, outcome.reason ?? 'task failed', outcome.noRetry === true)),
        renderedFields: outcome.renderedFields,
      };
  }
}

/** What a finished try's end moved besides itself: XComs, branches; returns whether other tasks changed. */
async function applyFinishedEffects(
  m: EntityManager,
  view: DagView | null,
  key: TaskInstanceKey,
  at: Date,
  outcome: TaskOutcome,
): Promise<boolean> {
  // A success replaces whatever the task instance held, also by nothing (no stale value survives).
  if (outcome.state === 'success')
    await writeXComs(m, { key, values: outcome.xcoms ?? {}, mapLengths: outcome.mapLengths }, at);
  if (outcome.state !== 'success' || !view) return false;
  // The task's outlets were updated: recorded in the same transaction as its success.
  for (const uri of view.tasks.get(key.taskId)?.outlets ?? [])
    await recordDatasetEvent(m, { uri, extra: null, source: key }, at);
  const run = { dagId: key.dagId, runId: key.runId };
  if (outcome.followTaskIds) {
    const follow = new Set(outcome.followTaskIds);
    // Airflow's skip_all_except: a direct downstream task that is also downstream of a followed
    // task (branch → t1 → join and branch → join, following t1) is not skipped.
    const reachable = new Set([...follow].flatMap((id) => allDownstream(view, id)));
    const skip = (view.tasks.get(key.taskId)?.downstream ?? []).filter((id) => !follow.has(id) && !reachable.has(id));
    if (skip.length)
      await transitionTasks(
        m,
        run,
        skip,
        [null, TaskState.SCHEDULED],
        TaskState.SKIPPED,
        at,
        `branch ${key.taskId} followed ${[...follow].join(', ') || 'nothing'}`,
      );
  }
  if (outcome.skipDownstream) {
    const skip = allDownstream(view, key.taskId);
    if (skip.length)
      await transitionTasks(
        m,
        run,
        skip,
        [null, TaskState.SCHEDULED],
        TaskState.SKIPPED,
        at,
        `short-circuited by ${key.taskId}`,
      );
  }
  return outcome.followTaskIds !== undefined || outcome.skipDownstream === true;
}

/**
 * The starts of tries that also end later in the same batch (short tasks): their start is
 * written by the end's transition, saving one UPDATE per try.
 */
function startsEndingInBatch(events: ExecutorEvent[]): Map<string, TryStart> {
  const starts = new Map<string, TryStart>();
  const out = new Map<string, TryStart>();
  for (const event of events) {
    const id = tryKeyString(event.key, event.tryNumber);
    if (event.type === 'started') starts.set(id, { at: new Date(event.at), hostname: event.hostname, pid: event.pid });
    else if (starts.has(id)) out.set(id, starts.get(id)!);
  }
  return out;
}

/**
 * Turn executor events into task state — the scheduler is the only writer. All events of one
 * drain are applied in one transaction (the caller's, when it passes one); each is a guarded
 * transition, so a stale or duplicate event moves nothing. Returns the runs whose tasks changed, to
 * be examined at once.
 *
 * The tries ended are recorded as metrics (recordTryEnded) once the batch is applied, or, when the
 * caller passes `endedTries`, pushed there for the caller to record once its transaction committed:
 * the scheduler loop does so after handing the next tries to the executor, so that the metrics
 * never delay a start, and a loop rolled back records nothing.
 */
export async function processExecutorEvents(
  db: DataSource | EntityManager,
  views: DagViewCache,
  events: ExecutorEvent[],
  endedTries?: TryEndedMetric[],
): Promise<AffectedRun[]> {
  if (!events.length) return [];
  const dagViews = new Map<string, DagView | null>();
  for (const event of events) {
    if (!dagViews.has(event.key.dagId))
      dagViews.set(event.key.dagId, views.peek(event.key.dagId) ?? (await views.get(event.key.dagId)));
  }
  const joinedStarts = startsEndingInBatch(events);
  const affected = new Map<string, AffectedRun>();
  const endedMetrics: TryEndedMetric[] = [];
  await withinTransaction(db, async (m) => {
    // Starts first, then every end of the batch in one transition (one statement on PostgreSQL),
    // then what the moved ends imply (XComs, branches).
    const ends: Array<{ event: Exclude<ExecutorEvent, { type: 'started' }>; ending: TryEnding }> = [];
    for (const event of events) {
      const at = new Date(event.at);
      const view = dagViews.get(event.key.dagId) ?? null;
      try {
        if (event.type === 'started') {
          if (!joinedStarts.has(tryKeyString(event.key, event.tryNumber)))
            await markRunning(m, event.key, event.tryNumber, at, event.hostname, event.pid);
          continue;
        }
        const started = joinedStarts.get(tryKeyString(event.key, event.tryNumber)) ?? null;
        let end: TryEnd;
        if (event.type === 'finished') end = await finishedEnd(m, view, event.key, event.tryNumber, at, event.outcome);
        else {
          log.warn(`${describeTi(event.key, event.tryNumber)} lost: ${event.reason}`);
          end = await failureEnd(m, view, event.key, event.tryNumber, at, event.reason, false);
        }
        ends.push({ event, ending: { key: event.key, tryNumber: event.tryNumber, end, started } });
      } catch (err) {
        log.error(`could not apply ${event.type} event of ${describeTi(event.key, event.tryNumber)}`, { err });
      }
    }
    const ended = await markTriesEnded(
      m,
      ends.map(({ ending }) => ending),
    );
    const moved = ended.map((e) => e !== null);
    for (let i = 0; i < ends.length; i += 1) {
      const { event, ending } = ends[i];
      try {
        let full = true;
        // A try of a task instance cleared while it ran has ended: the task instance runs again.
        const restarted = !moved[i] && (await finishRestart(m, event.key, event.tryNumber, ending.end.at)) > 0;
        if (event.type === 'finished') {
          full = restarted;
          if (!moved[i] && !restarted)
            log.warn(
              `ignored outcome ${event.outcome.state} of ${describeTi(event.key, event.tryNumber)}: ` +
                'the task instance is no longer at that try',
            );
          else if (moved[i])
            full = await applyFinishedEffects(
              m,
              dagViews.get(event.key.dagId) ?? null,
              event.key,
              ending.end.at,
              event.outcome,
            );
          // A failed or rescheduled try may wait to run again: a full decision sets the wake-up time.
          full ||= event.outcome.state === 'failed' || event.outcome.state === 'up_for_reschedule';
        }
        const runKey = `${event.key.dagId}\u0000${event.key.runId}`;
        const entry = affected.get(runKey) ?? {
          dagId: event.key.dagId,
          runId: event.key.runId,
          endedTaskIds: [],
          endedStates: [],
          needsFullDecision: false,
        };
        entry.endedTaskIds.push(event.key.taskId);
        const endedTry = ended[i];
        if (endedTry) {
          entry.endedStates.push({ taskId: event.key.taskId, state: ending.end.state });
          endedMetrics.push({
            dagId: event.key.dagId,
            taskId: event.key.taskId,
            state: ending.end.state,
            durationSeconds: endedTry.durationSeconds,
          });
        }
        entry.needsFullDecision ||= full;
        affected.set(runKey, entry);
      } catch (err) {
        log.error(`could not apply ${event.type} event of ${describeTi(event.key, event.tryNumber)}`, { err });
      }
    }
  });
  if (endedTries) endedTries.push(...endedMetrics);
  else for (const endedTry of endedMetrics) recordTryEnded(endedTry);
  return [...affected.values()];
}
