import { TaskState, TaskStateOrNone } from '../../src/core/states';
import { decideTaskInstance, mayBeDecided } from '../../src/scheduler/decide-task-instance';
import { countUpstream } from '../../src/scheduler/deps/upstream-counts';
import { makeTask } from '../helpers/serialized-dags';

const now = new Date('2026-03-01T12:00:00Z');
const ALL_STATES: TaskStateOrNone[] = [null, ...Object.values(TaskState)];

/** A task instance each other rule has something to say about: its upstream ended, its past failed. */
function decide(state: TaskStateOrNone, upstream: TaskStateOrNone, nextTryAt: Date) {
  return decideTaskInstance({
    task: makeTask('b', ['a'], { dependsOnPast: true }),
    state,
    nextTryAt,
    now,
    upstream: () => countUpstream([upstream]),
    previous: { runId: 'before', state: TaskState.FAILED, downstream: [] },
  });
}

describe('mayBeDecided', () => {
  // decideRun passes by the task instances it says no for: deciding them must change nothing.
  it.each(ALL_STATES.filter((s) => !mayBeDecided(s)))(
    'a task instance in state %s stays, with no time to look again and no outside wait',
    (state) => {
      const retryTimes = [new Date(now.getTime() - 1000), new Date(now.getTime() + 60_000)];
      for (const upstream of [TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED, null])
        for (const nextTryAt of retryTimes) {
          const decision = decide(state, upstream, nextTryAt);
          expect(decision.kind).toBe('stay');
          if (decision.kind !== 'stay') continue;
          expect(decision.status).not.toHaveProperty('until');
          expect(decision.status).not.toHaveProperty('waitsOnOtherRuns');
          expect(decision.status).not.toHaveProperty('endsAs');
        }
    },
  );

  it('says yes for the states the scheduler moves to scheduled', () => {
    expect(ALL_STATES.filter(mayBeDecided).sort()).toEqual(
      [null, TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE].sort(),
    );
  });
});
