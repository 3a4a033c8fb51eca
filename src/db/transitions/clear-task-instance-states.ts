import { Brackets, type EntityManager } from 'typeorm';
import { TaskState } from '../../core/states';
import { TaskInstanceEntity } from '../entities';
import { chunk } from '../sql';
import { clearTaskXComs } from './clear-xcoms';

export interface ClearedTask {
  dagId: string;
  taskId: string;
  /** The runs whose task instance of this task is cleared. */
  runIds: string[];
  /** The task's retries in the current DAG; unknown (no serialized DAG): keep the retries left. */
  retries: number | undefined;
}

const RUN_CHUNK = 400;
const ACTIVE = [TaskState.QUEUED, TaskState.RUNNING];

/** A fresh set of retries as SQL; without a serialized DAG, the retries the task instance had left. */
function freshMaxTries(task: ClearedTask): string {
  return Number.isInteger(task.retries)
    ? `try_number + ${task.retries}`
    : 'CASE WHEN max_tries > try_number THEN max_tries ELSE try_number END';
}

/**
 * Airflow's clear, for one task in some runs: any state but queued or running (those are still
 * with an executor) → no state, keeping the try count and getting a fresh set of retries
 * (max_tries = try_number + retries), with no pending retry, reschedule or end reason.
 * Returns rows moved.
 */
export async function clearTaskInstanceStates(tx: EntityManager, task: ClearedTask, now: Date): Promise<number> {
  const maxTries = freshMaxTries(task);
  let moved = 0;
  for (const runIds of chunk(task.runIds, RUN_CHUNK)) {
    const result = await tx
      .createQueryBuilder()
      .update(TaskInstanceEntity)
      .set({
        state: null,
        maxTries: () => maxTries,
        // A cleared task instance gets its platform retries back too.
        platformRetries: 0,
        nextTryAt: null,
        firstRescheduleDate: null,
        endReason: null,
        updatedAt: now,
      })
      .where('dag_id = :dagId AND task_id = :taskId AND run_id IN (:...runIds)', {
        dagId: task.dagId,
        taskId: task.taskId,
        runIds,
      })
      .andWhere(
        new Brackets((qb) => qb.where('state IS NULL').orWhere('state NOT IN (:...active)', { active: ACTIVE })),
      )
      .execute();
    moved += result.affected ?? 0;
  }
  // A cleared task instance keeps no XComs for its downstream tasks to pull before it runs again.
  if (moved > 0) await clearTaskXComs(tx, task);
  return moved;
}

/** Why a task instance cleared while queued or running is restarting (the task log and the API show it). */
export const RESTARTING_REASON = 'cleared while running: its try is stopped, then it runs again';

/**
 * Airflow's clear of a task instance that is queued or running: → restarting (Airflow's state for
 * it), keeping its try, with a fresh set of retries. Its try no longer owns the row, so the
 * scheduler stops it (stop-ended-tries) and its end moves nothing; once every process of it is gone
 * finishRestart gives it no state, and it runs again as a new try. Returns rows moved.
 */
export async function restartActiveTaskInstances(tx: EntityManager, task: ClearedTask, now: Date): Promise<number> {
  const maxTries = freshMaxTries(task);
  let moved = 0;
  for (const runIds of chunk(task.runIds, RUN_CHUNK)) {
    const result = await tx
      .createQueryBuilder()
      .update(TaskInstanceEntity)
      .set({
        state: TaskState.RESTARTING,
        maxTries: () => maxTries,
        platformRetries: 0,
        nextTryAt: null,
        endReason: RESTARTING_REASON,
        updatedAt: now,
      })
      .where('dag_id = :dagId AND task_id = :taskId AND run_id IN (:...runIds)', {
        dagId: task.dagId,
        taskId: task.taskId,
        runIds,
      })
      .andWhere('state IN (:...active)', { active: ACTIVE })
      .execute();
    moved += result.affected ?? 0;
  }
  return moved;
}
