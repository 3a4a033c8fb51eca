import type { EntityManager } from 'typeorm';
import { TaskState } from '../core/states';
import { expandMappedTask, RunRef, transitionTasks } from '../db/transitions/task-instance-transitions';
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
 * (no list pushed, above core.max_map_length), as Airflow does.
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
  for (const change of changes) {
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
      const created = await expand(m, view, run, taskId, now);
      if (created === null) endedMapped = true;
      else scheduled += created;
    }
  }
  return { scheduled, endedMapped };
}

/** Expand one mapped task; null when it ended instead (skipped or failed), which may cascade downstream. */
async function expand(m: EntityManager, view: DagView, run: RunRef, taskId: string, now: Date): Promise<number | null> {
  const task = view.tasks.get(taskId)!;
  const length = await mapLengthOf(m, run, view.tasks, task, view.maxMapLength ?? DEFAULT_MAX_MAP_LENGTH);
  if (!length.ok) {
    log.warn(length.reason, { dagId: run.dagId });
    await transitionTasks(m, run, [taskId], [null], TaskState.FAILED, now, length.reason);
    return null;
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
    return null;
  }
  const priority = view.priorities.get(taskId) ?? 1;
  return expandMappedTask(m, run, { ...task, effectivePriority: priority }, length.count, now);
}
