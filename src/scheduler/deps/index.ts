export { DepStatus, failing, passing } from './dep-status';
export { countUpstream, evaluateTriggerRule } from './trigger-rule-dep';
export type { TriggerRuleDecision, UpstreamCounts } from './trigger-rule-dep';
export { notInRetryPeriodDep } from './not-in-retry-period-dep';
export type { RetryPeriodInput } from './not-in-retry-period-dep';
export { prevDagrunDep } from './prev-dagrun-dep';
export type { PrevDagrunInput } from './prev-dagrun-dep';
export { dagRunRunningDep } from './dag-run-running-dep';
