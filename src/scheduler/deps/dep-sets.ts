import { DagMaxActiveTasksDep } from './dag-max-active-tasks-dep';
import { DagRunRunningDep } from './dag-run-running-dep';
import { DagUnpausedDep } from './dag-unpaused-dep';
import type { QueueDepContext, ScheduleDepContext } from './dep-context';
import { ExecutorSlotsDep } from './executor-slots-dep';
import { NotHeldDep } from './not-held-dep';
import { NotInRetryPeriodDep } from './not-in-retry-period-dep';
import { ParallelismDep } from './parallelism-dep';
import { PoolSlotsAvailableDep } from './pool-slots-available-dep';
import { PrevDagrunDep } from './prev-dagrun-dep';
import { failingDeps, FailedDep, TiDep } from './ti-dep';
import { TaskConcurrencyDep } from './task-concurrency-dep';
import { TriggerRuleDep } from './trigger-rule-dep';
import { QUEUEABLE_STATES, QueueableStateDep, SCHEDULABLE_STATES, SchedulableStateDep } from './valid-state-dep';

/**
 * none / up_for_retry / up_for_reschedule → scheduled (decideRun and its incremental paths).
 * Order matters to the scheduler, which stops at the first failing rule: a trigger rule that
 * ends the task (skipped, upstream_failed) wins over depends_on_past.
 */
export const SCHEDULED_DEPS: ReadonlyArray<TiDep<ScheduleDepContext>> = [
  SchedulableStateDep,
  NotInRetryPeriodDep,
  TriggerRuleDep,
  // depends_on_past and wait_for_downstream.
  PrevDagrunDep,
];

/**
 * scheduled → queued (queueReadyTasks), checked per candidate while slots are taken.
 * Each rule here is applied by the queuer and explained by `tasks failed-deps`, the API and the UI
 * (NotHeldDep: `tasks hold`; TaskConcurrencyDep: max_active_tis_per_dag).
 */
export const QUEUE_DEPS: ReadonlyArray<TiDep<QueueDepContext>> = [
  QueueableStateDep,
  DagRunRunningDep,
  DagUnpausedDep,
  NotHeldDep,
  PoolSlotsAvailableDep,
  DagMaxActiveTasksDep,
  TaskConcurrencyDep,
  ParallelismDep,
  ExecutorSlotsDep,
];

const QUEUE_DEPS_AFTER_SCHEDULING = QUEUE_DEPS.filter((dep) => dep !== QueueableStateDep);

/**
 * Why a task instance is not running: every failing rule on its way there (`tasks failed-deps`,
 * the API's `failed_deps`, the UI). A scheduled one waits on the queueing rules; one that is not
 * scheduled yet on the scheduling rules and on the queueing rules that would hold it next; one
 * in any other state only on its state.
 */
export function explainFailedDeps(ctx: ScheduleDepContext & QueueDepContext): FailedDep[] {
  if (QUEUEABLE_STATES.includes(ctx.state)) return failingDeps(QUEUE_DEPS, ctx);
  const scheduling = failingDeps(SCHEDULED_DEPS, ctx);
  if (!SCHEDULABLE_STATES.includes(ctx.state)) return scheduling;
  return [...scheduling, ...failingDeps(QUEUE_DEPS_AFTER_SCHEDULING, ctx)];
}
