import { InvalidArgumentError, NotFoundError } from '../core/errors';
import type { TaskStateOrNone } from '../core/states';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { TaskInstanceEntity } from '../db/entities';
import { runInTransaction } from '../db/transaction';
import { HOLDABLE_STATES, holdTaskInstance, resumeTaskInstance } from '../db/transitions/hold-task-instance';
import { notifySchedulers } from '../scheduler/external-change-watcher';
import { recordAuditEvent } from './audit-log';
import { requireDagRun } from './require-dag';
import type { ServiceContext } from './service-context';
import { StateConflictError } from './state-conflict-error';

/** A hold's reason is shown on one line in `failed-deps` and the UI: keep it short. */
const MAX_REASON_LENGTH = 500;

export interface TaskInstanceHoldResult {
  dagId: string;
  taskId: string;
  runId: string;
  mapIndex: number;
  state: TaskStateOrNone;
  held: boolean;
  heldBy: string | null;
  holdReason: string | null;
  /** False when the task instance already was in the requested hold state. */
  changed: boolean;
}

function describe(key: TaskInstanceKey): string {
  const mapped = key.mapIndex >= 0 ? `[${key.mapIndex}]` : '';
  return `task instance '${key.taskId}${mapped}' of run '${key.runId}' of DAG '${key.dagId}'`;
}

async function requireTaskInstance(ctx: ServiceContext, key: TaskInstanceKey): Promise<TaskInstanceEntity> {
  await requireDagRun(ctx.dataSource, key.dagId, key.runId);
  const ti = await ctx.dataSource.getRepository(TaskInstanceEntity).findOneBy({ ...key });
  if (!ti) throw new NotFoundError(`${describe(key)} not found`);
  return ti;
}

function resultOf(ti: TaskInstanceEntity, changed: boolean): TaskInstanceHoldResult {
  return {
    dagId: ti.dagId,
    taskId: ti.taskId,
    runId: ti.runId,
    mapIndex: ti.mapIndex,
    state: ti.state,
    held: ti.held,
    heldBy: ti.heldBy,
    holdReason: ti.holdReason,
    changed,
  };
}

/**
 * `tasks hold`: keep one task instance that is not queued yet out of the queue; the rest of its
 * run goes on. Refused (StateConflictError) once it is queued, running or finished. Holding a held
 * task instance again replaces its reason.
 */
export async function holdTask(
  ctx: ServiceContext,
  key: TaskInstanceKey,
  options: { reason?: string | null; actor?: string | null } = {},
): Promise<TaskInstanceHoldResult> {
  const reason = options.reason?.trim() || null;
  if (reason && (reason.length > MAX_REASON_LENGTH || /[\r\n]/.test(reason)))
    throw new InvalidArgumentError(`the hold reason must be one line of at most ${MAX_REASON_LENGTH} characters`);
  const before = await requireTaskInstance(ctx, key);
  const held = await runInTransaction(ctx.dataSource, async (tx) => {
    const moved = await holdTaskInstance(tx, key, { by: options.actor ?? null, reason }, ctx.clock.now());
    if (moved)
      await recordAuditEvent(tx, ctx.clock, {
        event: 'hold',
        dagId: key.dagId,
        runId: key.runId,
        taskId: key.taskId,
        actor: options.actor,
        extra: { map_index: key.mapIndex, reason },
      });
    return moved;
  });
  const after = await requireTaskInstance(ctx, key);
  if (!held) {
    const states = HOLDABLE_STATES.map((s) => s ?? 'none').join(', ');
    throw new StateConflictError(
      `${describe(key)} is ${after.state ?? 'none'}: only a task instance not queued yet (${states}) can be held`,
    );
  }
  return resultOf(after, !before.held || before.holdReason !== reason || before.heldBy !== (options.actor ?? null));
}

/** `tasks resume`: release a held task instance; the scheduler queues it when its rules pass. */
export async function resumeTask(
  ctx: ServiceContext,
  key: TaskInstanceKey,
  options: { actor?: string | null } = {},
): Promise<TaskInstanceHoldResult> {
  await requireTaskInstance(ctx, key);
  const released = await runInTransaction(ctx.dataSource, async (tx) => {
    const moved = await resumeTaskInstance(tx, key, ctx.clock.now());
    if (moved)
      await recordAuditEvent(tx, ctx.clock, {
        event: 'resume',
        dagId: key.dagId,
        runId: key.runId,
        taskId: key.taskId,
        actor: options.actor,
        extra: { map_index: key.mapIndex },
      });
    return moved;
  });
  if (released) await notifySchedulers(ctx.dataSource);
  return resultOf(await requireTaskInstance(ctx, key), released);
}
