import { Brackets } from 'typeorm';
import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { TaskState } from '../core/states';
import { TaskInstanceEntity } from '../db/entities';
import { markTaskInstancesByHand } from '../db/transitions/mark-task-instances-by-hand';
import type { TaskInstanceRef } from './clear-task-instances';
import { readSerializedDag } from '../db/reads/read-serialized-dag';
import { recordAuditEvent } from './audit-log';
import { requireDagRun } from './require-dag';
import type { ServiceContext } from './service-context';
import { relatedTaskIds } from '../core/task-graph';
import { runInTransaction } from '../db/transaction';

/** The states a user may set by hand, as in Airflow's "Mark success / failed / skipped". */
export const MARKABLE_TASK_STATES = [TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED] as const;
export type MarkableTaskState = (typeof MARKABLE_TASK_STATES)[number];

export interface MarkTaskInstanceStateInput {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex?: number;
  state: MarkableTaskState;
  /** Also mark every task downstream / upstream of it in the same run. */
  downstream?: boolean;
  upstream?: boolean;
  dryRun?: boolean;
  actor?: string;
}

export interface MarkTaskInstanceStateResult {
  /** Task instances whose state changes (with their previous state). */
  changed: TaskInstanceRef[];
  /** Rows the guarded UPDATE moved (0 in a dry run). */
  count: number;
}

export function assertMarkableTaskState(state: string): asserts state is MarkableTaskState {
  if (!(MARKABLE_TASK_STATES as readonly string[]).includes(state)) {
    throw new InvalidArgumentError(`cannot mark a task instance '${state}': use ${MARKABLE_TASK_STATES.join(', ')}`);
  }
}

/**
 * Set task instances of one run to success/failed/skipped by hand. Guarded: only rows not
 * already in the target state move. A try still running is left to finish; its outcome is then
 * ignored because the row is no longer 'running'.
 */
export async function markTaskInstanceState(
  ctx: ServiceContext,
  input: MarkTaskInstanceStateInput,
): Promise<MarkTaskInstanceStateResult> {
  assertMarkableTaskState(input.state);
  const ds = ctx.dataSource;
  await requireDagRun(ds, input.dagId, input.runId);
  const repo = ds.getRepository(TaskInstanceEntity);
  const mapIndex = input.mapIndex ?? -1;
  const target = await repo.findOneBy({ dagId: input.dagId, runId: input.runId, taskId: input.taskId, mapIndex });
  if (!target)
    throw new NotFoundError(
      `task instance '${input.taskId}' of DAG run '${input.runId}' (DAG '${input.dagId}') not found`,
    );

  const taskIds = new Set([input.taskId]);
  if (input.downstream || input.upstream) {
    const stored = await readSerializedDag(ds, input.dagId);
    if (stored && input.downstream)
      relatedTaskIds(stored.dag, [input.taskId], 'downstream').forEach((id) => taskIds.add(id));
    if (stored && input.upstream)
      relatedTaskIds(stored.dag, [input.taskId], 'upstream').forEach((id) => taskIds.add(id));
  }
  const rows =
    taskIds.size === 1
      ? [target]
      : await repo
          .createQueryBuilder('ti')
          .where('ti.dag_id = :dagId AND ti.run_id = :runId', { dagId: input.dagId, runId: input.runId })
          .andWhere('ti.task_id IN (:...taskIds)', { taskIds: [...taskIds] })
          .getMany();
  const changed = rows
    .filter((ti) => ti.state !== input.state)
    .map((ti) => ({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex, state: ti.state }));
  if (input.dryRun || changed.length === 0) return { changed, count: 0 };

  const changedIds = changed.map((ti) => ti.taskId);
  const guard = new Brackets((qb) => {
    qb.where('task_id IN (:...taskIds)', { taskIds: changedIds }).andWhere(
      new Brackets((state) => state.where('state IS NULL').orWhere('state <> :target', { target: input.state })),
    );
    if (taskIds.size === 1) qb.andWhere('map_index = :mapIndex', { mapIndex });
  });
  const now = ctx.clock.now();
  const endReason = `marked ${input.state}${(input.actor ?? ctx.actor) ? ` by ${input.actor ?? ctx.actor}` : ''}`;
  return runInTransaction(ds, async (tx) => {
    const count = await markTaskInstancesByHand(tx, input, { to: input.state, guard, endReason }, now);
    await recordAuditEvent(tx, ctx.clock, {
      event: `mark_${input.state}`,
      dagId: input.dagId,
      runId: input.runId,
      taskId: input.taskId,
      actor: input.actor ?? ctx.actor,
      extra: { task_ids: changedIds },
    });
    return { changed, count };
  });
}
