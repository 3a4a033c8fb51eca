import { FakeClock } from '../../src/core/clock';
import type { TaskStateOrNone } from '../../src/core/states';
import { DagMaxActiveTasksDep, dagsRefusedByMaxActiveTasks } from '../../src/scheduler/deps/dag-max-active-tasks-dep';
import { DagRunRunningDep } from '../../src/scheduler/deps/dag-run-running-dep';
import { DagUnpausedDep } from '../../src/scheduler/deps/dag-unpaused-dep';
import { NotHeldDep } from '../../src/scheduler/deps/not-held-dep';
import type { SlotUsage } from '../../src/scheduler/deps/dep-context';
import { ExecutorSlotsDep } from '../../src/scheduler/deps/executor-slots-dep';
import { NotInRetryPeriodDep } from '../../src/scheduler/deps/not-in-retry-period-dep';
import { ParallelismDep } from '../../src/scheduler/deps/parallelism-dep';
import { PoolSlotsAvailableDep, poolsWithOpenSlots } from '../../src/scheduler/deps/pool-slots-available-dep';
import { PrevDagrunDep } from '../../src/scheduler/deps/prev-dagrun-dep';
import { TriggerRuleDep } from '../../src/scheduler/deps/trigger-rule-dep';
import { countUpstream } from '../../src/scheduler/deps/upstream-counts';
import { QueueableStateDep, SchedulableStateDep } from '../../src/scheduler/deps/valid-state-dep';

describe('NotInRetryPeriodDep', () => {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const nextTryAt = new Date('2026-01-01T00:05:00Z');
  const evaluate = (state: TaskStateOrNone, now = clock.now(), next: Date | null = nextTryAt) =>
    NotInRetryPeriodDep.evaluate({ state, nextTryAt: next, now });

  test('fails while the retry delay has not passed, saying until when', () => {
    expect(evaluate('up_for_retry')).toEqual({
      passed: false,
      reason: 'task is in retry period until 2026-01-01T00:05:00.000Z',
      until: nextTryAt,
    });
  });

  test('a rescheduled sensor waits the same way', () => {
    const status = evaluate('up_for_reschedule');
    expect(status.passed).toBe(false);
    expect(status.reason).toBe('rescheduled sensor is in retry period until 2026-01-01T00:05:00.000Z');
  });

  test('passes once the clock reaches the next try', () => {
    const local = new FakeClock('2026-01-01T00:00:00Z');
    local.advance('4m');
    expect(evaluate('up_for_retry', local.now()).passed).toBe(false);
    local.advance('1m');
    expect(evaluate('up_for_retry', local.now()).passed).toBe(true);
  });

  test.each(['scheduled', 'queued', null, 'success'] as const)('passes for state %s', (state) => {
    expect(evaluate(state).passed).toBe(true);
  });

  test('passes when no next try time is recorded', () => {
    expect(evaluate('up_for_retry', clock.now(), null).passed).toBe(true);
  });
});

describe('PrevDagrunDep (depends_on_past)', () => {
  const task = (dependsOnPast: boolean) => ({ taskId: 't', triggerRule: 'all_success' as const, dependsOnPast });

  test('passes without depends_on_past whatever happened before', () => {
    const status = PrevDagrunDep.evaluate({
      task: task(false),
      state: null,
      previous: { runId: 'r1', state: 'failed' },
    });
    expect(status.passed).toBe(true);
  });

  test('passes for the first run of the task', () => {
    expect(PrevDagrunDep.evaluate({ task: task(true), state: null, previous: null }).passed).toBe(true);
  });

  test.each(['success', 'skipped'] as const)('passes when the previous instance is %s', (state) => {
    expect(PrevDagrunDep.evaluate({ task: task(true), state: null, previous: { runId: 'r1', state } }).passed).toBe(
      true,
    );
  });

  test.each(['failed', 'upstream_failed', 'running', 'up_for_retry', null] as const)(
    'fails when the previous instance is %s, naming it, and waits on the other run',
    (state) => {
      const status = PrevDagrunDep.evaluate({
        task: task(true),
        state: null,
        previous: { runId: 'scheduled__2026-01-01', state },
      });
      expect(status).toMatchObject({ passed: false, waitsOnOtherRuns: true });
      expect(status.reason).toContain('scheduled__2026-01-01');
      expect(status.reason).toContain(state ?? 'not started');
    },
  );

  test('a retry is not held back again, and a previous run that was not read never passes', () => {
    const previous = { runId: 'r1', state: 'failed' as const };
    expect(PrevDagrunDep.evaluate({ task: task(true), state: 'up_for_retry', previous }).passed).toBe(true);
    expect(PrevDagrunDep.evaluate({ task: task(true), state: null, previous: undefined }).passed).toBe(false);
  });
});

describe('TriggerRuleDep', () => {
  const evaluate = (triggerRule: 'all_success' | 'one_success', state: TaskStateOrNone, upstream: TaskStateOrNone[]) =>
    TriggerRuleDep.evaluate({
      task: { taskId: 't', triggerRule, dependsOnPast: false },
      state,
      upstream: () => countUpstream(upstream),
    });

  test('fails while upstream tasks run, with the rule and the count in the reason', () => {
    expect(evaluate('all_success', null, ['success', 'running'])).toEqual({
      passed: false,
      reason: 'all_success: waiting for 1 of 2 upstream tasks to finish',
    });
  });

  test('a rule that can no longer be met ends the task: skipped or upstream_failed', () => {
    expect(evaluate('all_success', null, ['skipped', 'running'])).toMatchObject({ passed: false, endsAs: 'skipped' });
    expect(evaluate('all_success', null, ['failed', 'running'])).toMatchObject({
      passed: false,
      endsAs: 'upstream_failed',
    });
  });

  test('passes once met, and for a task instance that already started', () => {
    expect(evaluate('one_success', null, ['success', 'running']).passed).toBe(true);
    expect(evaluate('all_success', 'up_for_retry', ['running']).passed).toBe(true);
  });
});

describe('state deps', () => {
  test('only none and waiting-to-retry task instances are scheduled', () => {
    for (const state of [null, 'up_for_retry', 'up_for_reschedule'] as const)
      expect(SchedulableStateDep.evaluate({ state }).passed).toBe(true);
    expect(SchedulableStateDep.evaluate({ state: 'running' })).toEqual({
      passed: false,
      reason: 'the task instance is running',
    });
    expect(SchedulableStateDep.evaluate({ state: 'success' }).reason).toBe(
      'the task instance is success, a finished state: clear it to run it again',
    );
  });

  test('only scheduled task instances are queued', () => {
    expect(QueueableStateDep.evaluate({ state: 'scheduled' }).passed).toBe(true);
    expect(QueueableStateDep.evaluate({ state: null })).toEqual({
      passed: false,
      reason: 'the task instance has not been scheduled yet',
    });
    expect(QueueableStateDep.evaluate({ state: 'queued' }).reason).toContain('the executor starts it');
  });
});

describe('DagRunRunningDep and DagUnpausedDep', () => {
  test('pass only for a running run of an unpaused DAG', () => {
    expect(DagRunRunningDep.evaluate({ runState: 'running' })).toEqual({
      passed: true,
      reason: 'the DAG run is running',
    });
    for (const runState of ['queued', 'success', 'failed'] as const) {
      expect(DagRunRunningDep.evaluate({ runState })).toEqual({
        passed: false,
        reason: `the DAG run is ${runState}, not running`,
      });
    }
    expect(DagUnpausedDep.evaluate({ dagPaused: false, dagDraining: false }).passed).toBe(true);
    expect(DagUnpausedDep.evaluate({ dagPaused: true, dagDraining: false })).toMatchObject({
      passed: false,
      reason: expect.stringContaining('the DAG is paused'),
    });
    expect(DagUnpausedDep.evaluate({ dagPaused: true, dagDraining: true })).toMatchObject({
      passed: true,
      reason: expect.stringContaining('draining'),
    });
  });

  it('NotHeldDep holds a held task instance, naming who and why', () => {
    expect(NotHeldDep.evaluate({ held: null }).passed).toBe(true);
    expect(NotHeldDep.evaluate({ held: { by: 'bob', reason: 'bad upstream data' } })).toEqual({
      passed: false,
      reason: "held by bob: bad upstream data (release it with 'dagctl tasks resume')",
    });
    expect(NotHeldDep.evaluate({ held: { by: null, reason: null } }).reason).toMatch(/^held: no reason given/);
  });
});

function usage(extra: Partial<SlotUsage> = {}): SlotUsage {
  return {
    poolCapacity: new Map([
      ['default_pool', 128],
      ['tiny', 2],
    ]),
    poolUsed: new Map([['tiny', 1]]),
    dagActive: new Map([['busy', 3]]),
    taskActive: new Map(),
    totalActive: 4,
    parallelism: 32,
    executorSlotsFree: 8,
    ...extra,
  };
}

describe('PoolSlotsAvailableDep', () => {
  test('passes while the task fits in the open slots of its pool', () => {
    expect(PoolSlotsAvailableDep.evaluate({ pool: 'tiny', poolSlots: 1, slots: usage() }).passed).toBe(true);
    expect(PoolSlotsAvailableDep.evaluate({ pool: 'default_pool', poolSlots: 128, slots: usage() }).passed).toBe(true);
  });

  test('fails when the pool is full or too full for the task, saying how many slots are open', () => {
    const full = usage({ poolUsed: new Map([['tiny', 2]]) });
    expect(PoolSlotsAvailableDep.evaluate({ pool: 'tiny', poolSlots: 1, slots: full })).toEqual({
      passed: false,
      reason: "pool 'tiny' is full: 0 slots of 2 open, the task needs 1",
    });
    expect(PoolSlotsAvailableDep.evaluate({ pool: 'tiny', poolSlots: 2, slots: usage() }).reason).toBe(
      "pool 'tiny' is full: 1 slot of 2 open, the task needs 2",
    );
  });

  test('fails for a pool that does not exist, saying how to create it', () => {
    expect(PoolSlotsAvailableDep.evaluate({ pool: 'nope', poolSlots: 1, slots: usage() }).reason).toBe(
      "pool 'nope' does not exist: create it with 'dagctl pools set nope SLOTS'",
    );
  });

  test('the queuer asks only for pools with an open slot', () => {
    expect(poolsWithOpenSlots(usage({ poolUsed: new Map([['tiny', 2]]) }))).toEqual(['default_pool']);
    expect(poolsWithOpenSlots(usage())).toEqual(['default_pool', 'tiny']);
  });
});

describe('DagMaxActiveTasksDep', () => {
  test("fails at the DAG's max_active_tasks, naming the limit", () => {
    expect(DagMaxActiveTasksDep.evaluate({ dagId: 'busy', maxActiveTasks: 4, slots: usage() }).passed).toBe(true);
    expect(DagMaxActiveTasksDep.evaluate({ dagId: 'busy', maxActiveTasks: 3, slots: usage() })).toEqual({
      passed: false,
      reason: 'the DAG has 3 task instances queued or running, its max_active_tasks is 3',
    });
    expect(DagMaxActiveTasksDep.evaluate({ dagId: 'idle', maxActiveTasks: 1, slots: usage() }).passed).toBe(true);
  });

  test('a DAG without a serialized version waits', () => {
    expect(DagMaxActiveTasksDep.evaluate({ dagId: 'busy', maxActiveTasks: null, slots: usage() }).passed).toBe(false);
  });

  test('the queuer leaves out the DAGs at their limit and those without a serialized version', () => {
    const dagIds = ['busy', 'idle'];
    expect(dagsRefusedByMaxActiveTasks(usage(), dagIds, (dagId) => (dagId === 'busy' ? 3 : 16))).toEqual(['busy']);
    expect(dagsRefusedByMaxActiveTasks(usage(), dagIds, () => 16)).toEqual([]);
    expect(dagsRefusedByMaxActiveTasks(usage(), dagIds, (dagId) => (dagId === 'idle' ? null : 16))).toEqual(['idle']);
  });
});

describe('ParallelismDep and ExecutorSlotsDep', () => {
  test('core.parallelism counts queued and running task instances of all DAGs', () => {
    expect(ParallelismDep.evaluate({ slots: usage() }).passed).toBe(true);
    expect(ParallelismDep.evaluate({ slots: usage({ parallelism: 4 }) })).toEqual({
      passed: false,
      reason: '4 task instances of all DAGs are queued or running, core.parallelism is 4',
    });
    expect(ParallelismDep.sharedByAll).toBe(true);
  });

  test("the executor's free slots; unknown outside the scheduler, which passes", () => {
    expect(ExecutorSlotsDep.evaluate({ slots: usage() }).passed).toBe(true);
    expect(ExecutorSlotsDep.evaluate({ slots: usage({ executorSlotsFree: 0 }) })).toMatchObject({
      passed: false,
      reason: 'the executor has no free slot: every worker slot is busy',
    });
    expect(ExecutorSlotsDep.evaluate({ slots: usage({ executorSlotsFree: null }) }).passed).toBe(true);
  });
});
