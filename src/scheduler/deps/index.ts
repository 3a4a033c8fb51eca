/**
 * The scheduling rules (Airflow's ti_deps): one pure rule per file, each answering pass/fail
 * with a reason for the user, grouped into the sets of dep-sets.ts. The scheduler decides only
 * through these sets, and `tasks failed-deps`, the API and the UI explain with the same sets.
 * A new rule: a file exporting a TiDep over the context it needs (dep-context.ts), added to a
 * set, with its unit test; what the context lacks is read where the set is evaluated.
 */
export { failing, passing } from './dep-status';
export type { DepStatus } from './dep-status';
export { firstFailing, failingDeps } from './ti-dep';
export type { TiDep, FailedDep } from './ti-dep';
export type { PreviousTi, QueueDepContext, ScheduleDepContext, SlotUsage } from './dep-context';
export { SCHEDULED_DEPS, QUEUE_DEPS, explainFailedDeps } from './dep-sets';
export {
  validStateDep,
  SchedulableStateDep,
  QueueableStateDep,
  SCHEDULABLE_STATES,
  QUEUEABLE_STATES,
} from './valid-state-dep';
export { evaluateTriggerRule, TriggerRuleDep } from './trigger-rule-dep';
export type { TriggerRuleDecision } from './trigger-rule-dep';
export { addUpstream, countUpstream, countUpstreamByState } from './upstream-counts';
export type { UpstreamCounts } from './upstream-counts';
export { NotInRetryPeriodDep } from './not-in-retry-period-dep';
export { PrevDagrunDep } from './prev-dagrun-dep';
export { DagRunRunningDep } from './dag-run-running-dep';
export { DagUnpausedDep } from './dag-unpaused-dep';
export { NotHeldDep } from './not-held-dep';
export { PoolSlotsAvailableDep, poolsWithOpenSlots } from './pool-slots-available-dep';
export { DagMaxActiveTasksDep, dagsRefusedByMaxActiveTasks } from './dag-max-active-tasks-dep';
export { ParallelismDep } from './parallelism-dep';
export { TaskConcurrencyDep } from './task-concurrency-dep';
export { ExecutorSlotsDep } from './executor-slots-dep';
