import { TaskState } from '../../core/states';
import { failing, passing } from './dep-status';
import type { ScheduleDepContext } from './dep-context';
import type { TiDep } from './ti-dep';

/**
 * depends_on_past: a task's first try may start only once its instance in the previous DAG run
 * succeeded or was skipped (a retry already passed this rule). wait_for_downstream (which
 * implies depends_on_past): the previous instance's direct downstream instances must also have
 * succeeded or been skipped.
 */
const DONE: ReadonlyArray<string | null> = [TaskState.SUCCESS, TaskState.SKIPPED];

export const PrevDagrunDep: TiDep<Pick<ScheduleDepContext, 'task' | 'state' | 'previous'>> = {
  name: 'Previous Dagrun State',
  evaluate({ task, state, previous }) {
    if (!task.dependsOnPast) return passing('the task does not depend on past runs');
    if (state !== null) return passing('depends_on_past: checked before the first try');
    if (previous === undefined) {
      return failing('depends_on_past: the previous run was not looked at yet', { waitsOnOtherRuns: true });
    }
    if (!previous) return passing('depends_on_past: no earlier run of this task');
    if (previous.state === TaskState.SUCCESS || previous.state === TaskState.SKIPPED) {
      if (task.waitForDownstream) {
        const pending = (previous.downstream ?? []).filter((d) => !DONE.includes(d.state));
        if (previous.downstream === undefined)
          return failing('wait_for_downstream: the previous run was not looked at yet', { waitsOnOtherRuns: true });
        if (pending.length > 0) {
          const list = pending
            .slice(0, 5)
            .map((d) => `${d.taskId} (${d.state ?? 'not started'})`)
            .join(', ');
          return failing(
            `wait_for_downstream: in the previous run (${previous.runId}) the downstream task instances ` +
              `${list} have not succeeded or been skipped`,
            { waitsOnOtherRuns: true },
          );
        }
      }
      return passing(`depends_on_past: the previous run's instance (${previous.runId}) is ${previous.state}`);
    }
    return failing(
      `depends_on_past: the previous run's instance (${previous.runId}) is ` +
        `${previous.state ?? 'not started'}, not success or skipped`,
      { waitsOnOtherRuns: true },
    );
  },
};
