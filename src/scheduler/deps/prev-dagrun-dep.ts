import { TaskState, TaskStateOrNone } from '../../core/states';
import { DepStatus, failing, passing } from './dep-status';

export interface PrevDagrunInput {
  dependsOnPast: boolean;
  /** The same task in the previous DAG run; null when there is no previous run or it had no such task. */
  previous: { runId: string; state: TaskStateOrNone } | null;
}

/** depends_on_past: a task may run only once its previous run's instance succeeded or was skipped. */
export function prevDagrunDep({ dependsOnPast, previous }: PrevDagrunInput): DepStatus {
  if (!dependsOnPast) return passing('the task does not depend on past runs');
  if (!previous) return passing('depends_on_past: no earlier run of this task');
  if (previous.state === TaskState.SUCCESS || previous.state === TaskState.SKIPPED) {
    return passing(`depends_on_past: the previous run's instance (${previous.runId}) is ${previous.state}`);
  }
  return failing(
    `depends_on_past: the previous run's instance (${previous.runId}) is ${previous.state ?? 'not started'}, ` +
      'not success or skipped',
  );
}
