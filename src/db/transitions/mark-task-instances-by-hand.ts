import type { Brackets, EntityManager } from 'typeorm';
import type { TaskState } from '../../core/states';
import { TaskInstanceEntity } from '../entities';
import type { RunRef } from './task-instance-transitions';

export interface HandMarkedMove {
  to: TaskState;
  /** Which rows of the run may move; it must exclude rows already in `to`, so the move is guarded. */
  guard: Brackets;
  /** Written to end_reason when given; otherwise end_reason is left as it is. */
  endReason?: string;
}

/**
 * A user's "mark as" (of task instances or of a whole run): the guarded rows of one run take the
 * new state as finished now, keeping the start of a try already begun and dropping any pending
 * retry. A try still running is left to finish; its outcome is ignored because its row moved.
 * Returns rows moved.
 */
export async function markTaskInstancesByHand(
  tx: EntityManager,
  run: RunRef,
  move: HandMarkedMove,
  now: Date,
): Promise<number> {
  const nowIso = now.toISOString();
  const result = await tx
    .createQueryBuilder()
    .update(TaskInstanceEntity)
    .set({
      state: move.to,
      startDate: () => `COALESCE(start_date, '${nowIso}')`,
      endDate: now,
      nextTryAt: null,
      updatedAt: now,
      ...(move.endReason === undefined ? {} : { endReason: move.endReason }),
    })
    .where('dag_id = :dagId AND run_id = :runId', { dagId: run.dagId, runId: run.runId })
    .andWhere(move.guard)
    .execute();
  return result.affected ?? 0;
}
