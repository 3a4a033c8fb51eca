import { TaskState, TriggerRule } from '../../core/states';
import { DepStatus, failing, passing } from './dep-status';
import type { ScheduleDepContext } from './dep-context';
import { countUpstream, type UpstreamCounts } from './upstream-counts';
import type { TiDep } from './ti-dep';

export type TriggerRuleDecision =
  | { kind: 'run'; reason: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'upstream_failed'; reason: string };

const noSetups = (): UpstreamCounts => countUpstream([]);

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Airflow's trigger rules over the direct upstream tasks (contract §3). "failed" includes
 * upstream_failed except for `one_done`. Removed upstream tasks no longer belong to the DAG, so
 * they are left out of every rule (they only count as done). No upstream at all → run.
 */
export function evaluateTriggerRule(
  rule: TriggerRule,
  counts: UpstreamCounts,
  /** The direct upstream setup tasks among `counts` (all_done_setup_success reads them). */
  setups: () => UpstreamCounts = noSetups,
): TriggerRuleDecision {
  const relevant = counts.total - counts.removed;
  const { success, skipped } = counts;
  const failed = counts.failed + counts.upstreamFailed;
  const finished = counts.done - counts.removed;
  const allFinished = finished >= relevant;
  const of = (n: number, what: string): string => `${rule}: ${n} of ${plural(relevant, 'upstream task')} ${what}`;
  const failedText = (): string =>
    of(failed, counts.upstreamFailed > 0 ? `failed (${counts.upstreamFailed} upstream_failed)` : 'failed');
  const pending = `waiting for ${relevant - finished} of ${plural(relevant, 'upstream task')} to finish`;
  const waiting = (): string => `${rule}: ${pending}`;
  const run = (reason: string): TriggerRuleDecision => ({ kind: 'run', reason });
  const wait = (reason: string): TriggerRuleDecision => ({ kind: 'wait', reason });
  const skip = (reason: string): TriggerRuleDecision => ({ kind: 'skip', reason });
  const upstreamFailed = (reason: string): TriggerRuleDecision => ({ kind: 'upstream_failed', reason });

  if (rule === TriggerRule.ALWAYS) return run('always: runs regardless of upstream tasks');
  if (relevant === 0) return run(`${rule}: no upstream tasks`);

  switch (rule) {
    case TriggerRule.ALL_SUCCESS:
      if (failed > 0) return upstreamFailed(failedText());
      if (skipped > 0) return skip(of(skipped, 'skipped'));
      if (success === relevant) return run(`${rule}: all ${plural(relevant, 'upstream task')} succeeded`);
      return wait(waiting());
    case TriggerRule.ALL_FAILED:
      if (success > 0 || skipped > 0)
        return skip(of(success + skipped, `succeeded or skipped (${success} succeeded, ${skipped} skipped)`));
      if (failed === relevant) return run(`${rule}: all ${plural(relevant, 'upstream task')} failed`);
      return wait(waiting());
    case TriggerRule.ALL_DONE:
      if (allFinished) return run(`${rule}: all ${plural(relevant, 'upstream task')} finished`);
      return wait(waiting());
    case TriggerRule.ALL_SKIPPED:
      if (success > 0 || failed > 0)
        return skip(of(success + failed, `succeeded or failed (${success} succeeded, ${failed} failed)`));
      if (skipped === relevant) return run(`${rule}: all ${plural(relevant, 'upstream task')} were skipped`);
      return wait(waiting());
    case TriggerRule.ONE_SUCCESS:
      if (success > 0) return run(of(success, 'succeeded'));
      if (!allFinished) return wait(`${rule}: no upstream task succeeded yet; ${pending}`);
      if (skipped === relevant) return skip(`${rule}: all ${plural(relevant, 'upstream task')} were skipped`);
      return upstreamFailed(
        `${rule}: none of ${plural(relevant, 'upstream task')} succeeded (${failed} failed, ${skipped} skipped)`,
      );
    case TriggerRule.ONE_FAILED:
      if (failed > 0) return run(failedText());
      if (!allFinished) return wait(`${rule}: no upstream task failed yet; ${pending}`);
      return skip(`${rule}: all ${plural(relevant, 'upstream task')} finished and none failed`);
    case TriggerRule.ONE_DONE: {
      // Only tasks that actually ran count: upstream_failed ones never did.
      const ran = success + counts.failed;
      if (ran > 0) return run(of(ran, `succeeded or failed (${success} succeeded, ${counts.failed} failed)`));
      if (!allFinished) return wait(`${rule}: no upstream task succeeded or failed yet; ${pending}`);
      return skip(`${rule}: all ${plural(relevant, 'upstream task')} were skipped or upstream_failed`);
    }
    case TriggerRule.NONE_FAILED:
      if (failed > 0) return upstreamFailed(failedText());
      if (allFinished) return run(`${rule}: all ${plural(relevant, 'upstream task')} finished and none failed`);
      return wait(waiting());
    case TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
      if (failed > 0) return upstreamFailed(failedText());
      if (skipped === relevant) return skip(`${rule}: all ${plural(relevant, 'upstream task')} were skipped`);
      if (allFinished)
        return run(`${rule}: all ${plural(relevant, 'upstream task')} finished, none failed, ${success} succeeded`);
      return wait(waiting());
    case TriggerRule.ALL_DONE_SETUP_SUCCESS: {
      // A teardown (Airflow 2.7): runs once everything upstream is done if one of its setups
      // succeeded, whatever happened to the work between them.
      if (!allFinished) return wait(waiting());
      const s = setups();
      const setupTotal = s.total - s.removed;
      if (setupTotal === 0) return run(`${rule}: all ${plural(relevant, 'upstream task')} finished (no setup task)`);
      if (s.skipped >= setupTotal) return skip(`${rule}: all ${plural(setupTotal, 'setup task')} were skipped`);
      if (s.success === 0) return upstreamFailed(`${rule}: none of ${plural(setupTotal, 'setup task')} succeeded`);
      return run(
        `${rule}: all ${plural(relevant, 'upstream task')} finished, ${s.success} of ${setupTotal} setups succeeded`,
      );
    }
    case TriggerRule.NONE_SKIPPED:
      if (skipped > 0) return skip(of(skipped, 'skipped'));
      if (allFinished) return run(`${rule}: all ${plural(relevant, 'upstream task')} finished and none was skipped`);
      return wait(waiting());
    default: {
      const unknown: never = rule;
      throw new Error(`unknown trigger rule '${String(unknown)}'`);
    }
  }
}

/**
 * The trigger rule as a dep: a task instance that has not started yet runs once its rule is met
 * by its direct upstream tasks; a rule that can no longer be met ends it as skipped or
 * upstream_failed (`endsAs`). A task that started already passed it (retries are not held back).
 */
export const TriggerRuleDep: TiDep<Pick<ScheduleDepContext, 'task' | 'state' | 'upstream' | 'upstreamSetups'>> = {
  name: 'Trigger Rule',
  evaluate({ task, state, upstream, upstreamSetups }): DepStatus {
    if (state !== null) return passing('the task instance already started: its trigger rule was met');
    const decision = evaluateTriggerRule(task.triggerRule, upstream(), upstreamSetups);
    switch (decision.kind) {
      case 'run':
        return passing(decision.reason);
      case 'wait':
        return failing(decision.reason);
      case 'skip':
        return failing(decision.reason, { endsAs: TaskState.SKIPPED });
      case 'upstream_failed':
        return failing(decision.reason, { endsAs: TaskState.UPSTREAM_FAILED });
    }
  },
};
