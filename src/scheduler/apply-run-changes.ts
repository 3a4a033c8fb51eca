import type { EntityManager } from 'typeorm';
import { TaskState } from '../core/states';
import {
  expandMappedTask,
  reviseMappedTask,
  RunRef,
  transitionTasks,
} from '../db/transitions/task-instance-transitions';
import { getLogger } from '../logging/logger';
import { DEFAULT_MAX_MAP_LENGTH, type DagView } from './dag-view-cache';
import type { StateChange } from './decide-run';
import { mapLengthOf } from './map-lengths';

const log = getLogger('scheduler');

/**
 * Apply a run's decided state changes; returns how many task instances became `scheduled` and
 * whether a mapped task ended without expanding (its downstream tasks are then decided again). A
 * mapped task not expanded yet whose trigger rule is met is expanded instead of scheduled: one
 * task instance per element (scheduled), skipped for zero elements, failed when it cannot expand
 * (no list pushed, above core.max_map_length), as Airflow does. An expanded mapped task about to
 * schedule instances that have no state (cleared) first follows its list's length now (new map
 * indexes created, surplus ones removed: reviseMapIndexes); `endedMapped` then asks for another
 * decision, so the new map indexes are decided too.
 */
export async function applyRunChanges(
  m: EntityManager,
  view: DagView,
  run: RunRef,
  changes: readonly StateChange[],
  now: Date,
): Promise<{ scheduled: number; endedMapped: boolean }> {
  let scheduled = 0;
  let endedMapped = false;
  const revised = new Map<string, 'same' | 'changed' | 'failed'>();
  for (const change of changes) {
    if (change.mapIndexes && change.to === TaskState.SCHEDULED && change.from.includes(null)) {
      const taskId = change.taskIds[0];
      let outcome = revised.get(taskId);
      if (!outcome) {
        outcome = await reviseMapIndexes(m, view, run, taskId, change.mapIndexes, now);
        revised.set(taskId, outcome);
        if (outcome !== 'same') endedMapped = true;
      }
      if (outcome === 'failed') continue;
    }
    const expanding =
      change.to === TaskState.SCHEDULED && !change.mapIndexes && change.from.includes(null)
        ? change.taskIds.filter((id) => view.tasks.get(id)?.mapped)
        : [];
    const plain = expanding.length ? change.taskIds.filter((id) => !expanding.includes(id)) : change.taskIds;
    if (plain.length) {
      const moved = await transitionTasks(m, run, plain, change.from, change.to, now, change.reason, change.mapIndexes);
      if (change.to === TaskState.SCHEDULED) scheduled += moved;
    }
    for (const taskId of expanding) {
      const expanded = await expand(m, view, run, taskId, now);
      if (expanded.redecide) endedMapped = true;
      scheduled += expanded.scheduled;
    }
  }
  return { scheduled, endedMapped };
}

/**
 * Expand one mapped task. `redecide` when it ended instead (skipped or failed), which may cascade
 * downstream, or when its instances were created without a state (depends_on_past, per map index).
 */
async function expand(
  m: EntityManager,
  view: DagView,
  run: RunRef,
  taskId: string,
  now: Date,
): Promise<{ scheduled: number; redecide: boolean }> {
  const task = view.tasks.get(taskId)!;
  const length = await mapLengthOf(m, run, view.tasks, task, view.maxMapLength ?? DEFAULT_MAX_MAP_LENGTH);
  if (!length.ok) {
    log.warn(length.reason, { dagId: run.dagId });
    await transitionTasks(m, run, [taskId], [null], TaskState.FAILED, now, length.reason);
    return { scheduled: 0, redecide: true };
  }
  if (length.count === 0) {
    await transitionTasks(
      m,
      run,
      [taskId],
      [null],
      TaskState.SKIPPED,
      now,
      'mapped over an empty list: nothing to run',
    );
    return { scheduled: 0, redecide: true };
  }
  const priority = view.priorities.get(taskId) ?? 1;
  const withPriority = { ...task, effectivePriority: priority };
  if (task.dependsOnPast) {
    const created = await expandMappedTask(m, run, withPriority, length.count, now, null);
    return { scheduled: 0, redecide: created > 0 };
  }
  return { scheduled: await expandMappedTask(m, run, withPriority, length.count, now), redecide: false };
}

/**
 * Airflow's `_revise_map_indexes_if_mapped`, when instances of an expanded mapped task with no
 * state are about to be scheduled (the task was cleared, its upstream may have pushed a list of
 * another length): 'changed' when map indexes were created or removed; 'failed' when the list
 * cannot be expanded now (those instances failed with the reason, as a first expansion would).
 */
async function reviseMapIndexes(
  m: EntityManager,
  view: DagView,
  run: RunRef,
  taskId: string,
  mapIndexes: readonly number[],
  now: Date,
): Promise<'same' | 'changed' | 'failed'> {
  const task = view.tasks.get(taskId);
  if (!task?.mapped) return 'same';
  const length = await mapLengthOf(m, run, view.tasks, task, view.maxMapLength ?? DEFAULT_MAX_MAP_LENGTH);
  if (!length.ok) {
    log.warn(length.reason, { dagId: run.dagId });
    await transitionTasks(m, run, [taskId], [null], TaskState.FAILED, now, length.reason, mapIndexes);
    return 'failed';
  }
  const priority = view.priorities.get(taskId) ?? 1;
  const { created, removed } = await reviseMappedTask(
    m,
    run,
    { ...task, effectivePriority: priority },
    length.count,
    now,
  );
  if (created || removed) log.info(`task ${taskId} now maps over ${length.count} elements`, { dagId: run.dagId });
  return created || removed ? 'changed' : 'same';
}
