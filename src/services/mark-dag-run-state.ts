import { Brackets } from 'typeorm';
import { InvalidArgumentError } from '../core/errors';
import { DagRunState, FINISHED_TASK_STATES, TaskState } from '../core/states';
import { markDagRunByHand } from '../db/transitions/dag-run-transitions';
import { markTaskInstancesByHand } from '../db/transitions/mark-task-instances-by-hand';
import { recordAuditEvent } from './audit-log';
import { requireDagRun } from './require-dag';
import type { ServiceContext } from './service-context';
import { runInTransaction } from '../db/transaction';

export const MARKABLE_DAG_RUN_STATES = [DagRunState.SUCCESS, DagRunState.FAILED, DagRunState.QUEUED] as const;
export type MarkableDagRunState = (typeof MARKABLE_DAG_RUN_STATES)[number];

export interface MarkDagRunStateInput {
  dagId: string;
  runId: string;
  state: MarkableDagRunState;
  actor?: string;
}

export interface MarkDagRunStateResult {
  dagId: string;
  runId: string;
  previousState: string;
  state: MarkableDagRunState;
  /** 1 when the run moved, 0 when it already was in that state. */
  runsMoved: number;
  /** Task instances changed along with the run. */
  taskInstancesMoved: number;
}

export function assertMarkableDagRunState(state: string): asserts state is MarkableDagRunState {
  if (!(MARKABLE_DAG_RUN_STATES as readonly string[]).includes(state)) {
    throw new InvalidArgumentError(`cannot mark a DAG run '${state}': use ${MARKABLE_DAG_RUN_STATES.join(', ')}`);
  }
}

/**
 * Airflow's "mark run as": success finishes every unfinished task instance as success; failed
 * fails the running ones and skips the rest that have not finished; queued only moves the run.
 */
export async function markDagRunState(
  ctx: ServiceContext,
  input: MarkDagRunStateInput,
): Promise<MarkDagRunStateResult> {
  assertMarkableDagRunState(input.state);
  const run = await requireDagRun(ctx.dataSource, input.dagId, input.runId);
  const now = ctx.clock.now();
  const key = { dagId: input.dagId, runId: input.runId };
  const unfinished = new Brackets((qb) =>
    qb.where('state IS NULL').orWhere('state NOT IN (:...finished)', { finished: FINISHED_TASK_STATES }),
  );

  return runInTransaction(ctx.dataSource, async (tx) => {
    const runsMoved = (await markDagRunByHand(tx, key, input.state, now)) ? 1 : 0;
    let taskInstancesMoved = 0;
    const moveTis = async (to: TaskState, guard: Brackets): Promise<void> => {
      taskInstancesMoved += await markTaskInstancesByHand(tx, key, { to, guard }, now);
    };
    if (runsMoved > 0 && input.state === DagRunState.SUCCESS) await moveTis(TaskState.SUCCESS, unfinished);
    if (runsMoved > 0 && input.state === DagRunState.FAILED) {
      await moveTis(
        TaskState.FAILED,
        new Brackets((qb) => qb.where('state = :running', { running: TaskState.RUNNING })),
      );
      await moveTis(TaskState.SKIPPED, unfinished);
    }
    if (runsMoved > 0) {
      await recordAuditEvent(tx, ctx.clock, {
        event: `mark_dag_run_${input.state}`,
        ...key,
        actor: input.actor ?? ctx.actor,
        extra: { task_instances: taskInstancesMoved },
      });
    }
    return { ...key, previousState: run.state, state: input.state, runsMoved, taskInstancesMoved };
  });
}
