import { TaskState, TaskStateOrNone } from '../core/states';
import type { DepStatus } from './deps/dep-status';
import type { ScheduleDepContext } from './deps/dep-context';
import { SCHEDULED_DEPS } from './deps/dep-sets';
import { firstFailing, TiDep } from './deps/ti-dep';
import { SCHEDULABLE_STATES } from './deps/valid-state-dep';

export type TaskDecision =
  /** The task instance moves to `to` (reason: why it ended without running, else null). */
  | { kind: 'move'; to: TaskState; reason: string | null }
  /** It stays as it is: `dep` failed (`status.until`: look again then). */
  | { kind: 'stay'; dep: TiDep<ScheduleDepContext>; status: DepStatus };

/**
 * The one place where the scheduling rules' verdict becomes a state: all rules pass →
 * scheduled (an EmptyOperator that has not run succeeds where it stands, like Airflow's, and is
 * never sent to an executor); a rule that can never pass → the state it names; otherwise stay.
 * decideRun (full and partial) and the wide fan-in path all decide through this.
 */
export function decideTaskInstance(
  ctx: ScheduleDepContext & { task: { operator: string; outlets?: readonly string[] } },
): TaskDecision {
  const failed = firstFailing(SCHEDULED_DEPS, ctx);
  if (!failed) {
    // With outlets it runs, as in Airflow, so its success records the dataset events.
    const shortcut = ctx.task.operator === 'EmptyOperator' && !ctx.task.outlets?.length;
    const to = ctx.state === null && shortcut ? TaskState.SUCCESS : TaskState.SCHEDULED;
    return { kind: 'move', to, reason: null };
  }
  if (failed.status.endsAs) return { kind: 'move', to: failed.status.endsAs, reason: failed.status.reason };
  return { kind: 'stay', dep: failed.dep, status: failed.status };
}

const DECIDABLE = new Set<TaskStateOrNone>(SCHEDULABLE_STATES);

/**
 * Whether decideTaskInstance can move a task instance in this state or name a time to look
 * again: for any other state the state rule of SCHEDULED_DEPS says no and no rule says when or
 * how it ends, so a whole-run decision (10,000 task instances, most of them queued, running or
 * done) passes those by without building each one's context.
 */
export function mayBeDecided(state: TaskStateOrNone): boolean {
  return DECIDABLE.has(state);
}
