import type { SerializedTask } from '../core/serialized-dag';
import type { TaskWorkload } from '../core/executor';
import type { StoredDag } from '../db/reads/read-serialized-dag';

/**
 * The parts of a workload that come from the parsed DAG alone, for tries run outside the scheduler
 * (`tasks test`, `tasks render`): the file to load and the task's queue, priority and limits.
 */
export function taskWorkloadFields(
  stored: StoredDag,
  task: SerializedTask,
): Pick<TaskWorkload, 'fileloc' | 'dagHash' | 'queue' | 'priority' | 'executionTimeoutMs' | 'pool' | 'poolSlots'> {
  return {
    fileloc: stored.fileloc,
    dagHash: stored.dagHash,
    queue: task.queue,
    priority: task.priorityWeight,
    executionTimeoutMs: task.executionTimeoutMs,
    pool: task.pool,
    poolSlots: task.poolSlots,
  };
}
