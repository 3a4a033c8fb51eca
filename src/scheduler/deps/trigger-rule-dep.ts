import { TaskState, TaskStateOrNone, TriggerRule } from '../../core/states';

/** The direct upstream task instances of one task instance, counted by state. */
export interface UpstreamCounts {
  total: number;
  success: number;
  skipped: number;
  /** `failed` only; upstream_failed is counted separately. */
  failed: number;
  upstreamFailed: number;
  removed: number;
  /** Finished upstream tasks: success + skipped + failed + upstreamFailed + removed. */
  done: number;
}

export type TriggerRuleDecision =
  | { kind: 'run'; reason: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'upstream_failed'; reason: string };

export function countUpstream(states: TaskStateOrNone[]): UpstreamCounts {
  const counts: UpstreamCounts = {
    total: states.length,
    success: 0,
    skipped: 0,
    failed: 0,
    upstreamFailed: 0,
    removed: 0,
    done: 0,
  };
  for (const state of states) {
    if (state === TaskState.SUCCESS) counts.success++;
    else if (state === TaskState.SKIPPED) counts.skipped++;
    else if (state === TaskState.FAILED) counts.failed++;
    else if (state === TaskState.UPSTREAM_FAILED) counts.upstreamFailed++;
    else if (state === TaskState.REMOVED) counts.removed++;
    else continue;
    counts.done++;
  }
  return counts;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Airflow's trigger rules over the direct upstream tasks (contract §3). "failed" includes
 * upstream_failed except for `one_done`. Removed upstream tasks no longer belong to the DAG, so
 * they are left out of every rule (they only count as done). No upstream at all → run.
 */
export function evaluateTriggerRule(rule: TriggerRule, counts: UpstreamCounts): TriggerRuleDecision {
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
