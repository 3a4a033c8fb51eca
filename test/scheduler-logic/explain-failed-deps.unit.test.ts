import type { QueueDepContext, ScheduleDepContext, SlotUsage } from '../../src/scheduler/deps/dep-context';
import { explainFailedDeps, QUEUE_DEPS, SCHEDULED_DEPS } from '../../src/scheduler/deps/dep-sets';
import { countUpstream } from '../../src/scheduler/deps/upstream-counts';
import { decideTaskInstance } from '../../src/scheduler/decide-task-instance';
import type { TaskStateOrNone } from '../../src/core/states';

const NOW = new Date('2026-03-01T12:00:00Z');

function slots(extra: Partial<SlotUsage> = {}): SlotUsage {
  return {
    poolCapacity: new Map([['default_pool', 1]]),
    poolUsed: new Map(),
    dagActive: new Map(),
    taskActive: new Map(),
    totalActive: 0,
    parallelism: 32,
    executorSlotsFree: null,
    ...extra,
  };
}

type Ctx = ScheduleDepContext & QueueDepContext & { task: ScheduleDepContext['task'] & { operator: string } };

function ctx(state: TaskStateOrNone, extra: Partial<Ctx> = {}): Ctx {
  return {
    task: { taskId: 't', triggerRule: 'all_success', dependsOnPast: false, operator: 'BashOperator' },
    state,
    nextTryAt: null,
    now: NOW,
    upstream: () => countUpstream([]),
    previous: null,
    dagId: 'd',
    taskId: 't',
    maxActiveTisPerDag: null,
    pool: 'default_pool',
    poolSlots: 1,
    runState: 'running',
    dagPaused: false,
    dagDraining: false,
    held: null,
    maxActiveTasks: 16,
    slots: slots(),
    ...extra,
  };
}

describe('explainFailedDeps', () => {
  it('is empty when every rule on the way to running is met', () => {
    expect(explainFailedDeps(ctx(null))).toEqual([]);
    expect(explainFailedDeps(ctx('scheduled'))).toEqual([]);
  });

  it('lists every failing rule, scheduling ones first, then the queueing ones that would hold it next', () => {
    const failing = explainFailedDeps(
      ctx('up_for_retry', {
        nextTryAt: new Date('2026-03-01T13:00:00Z'),
        dagPaused: true,
        slots: slots({ poolUsed: new Map([['default_pool', 1]]) }),
      }),
    );
    expect(failing.map((d) => d.name)).toEqual(['Not In Retry Period', 'Dag Not Paused', 'Pool Slots Available']);
  });

  it('names who held a task instance and why, whether it is scheduled yet or not', () => {
    const held = { by: 'alice', reason: 'waiting for the vendor fix' };
    for (const state of [null, 'scheduled'] as const) {
      expect(explainFailedDeps(ctx(state, { held }))).toEqual([
        {
          name: 'Task Instance Not Held',
          reason: "held by alice: waiting for the vendor fix (release it with 'dagctl tasks resume')",
        },
      ]);
    }
  });

  it("lets a draining DAG queue its running runs' tasks, where a plain pause holds them", () => {
    expect(explainFailedDeps(ctx('scheduled', { dagPaused: true, dagDraining: true }))).toEqual([]);
    expect(explainFailedDeps(ctx('scheduled', { dagPaused: true })).map((d) => d.name)).toEqual(['Dag Not Paused']);
  });

  it('explains a scheduled task instance by the queueing rules only', () => {
    const failing = explainFailedDeps(ctx('scheduled', { runState: 'queued', maxActiveTasks: 0 }));
    expect(failing).toEqual([
      { name: 'Dagrun Running', reason: 'the DAG run is queued, not running' },
      {
        name: 'Task Instance Slots Available',
        reason: 'the DAG has 0 task instances queued or running, its max_active_tasks is 0',
      },
    ]);
  });

  it('explains a queued, running or finished one by its state alone', () => {
    expect(explainFailedDeps(ctx('queued', { dagPaused: true }))).toEqual([
      {
        name: 'Task Instance State',
        reason: 'the task instance is queued: the executor starts it when a worker is free',
      },
    ]);
    expect(explainFailedDeps(ctx('skipped')).map((d) => d.reason)).toEqual([
      'the task instance is skipped, a finished state: clear it to run it again',
    ]);
  });

  it('each set leads with its state rule', () => {
    expect(SCHEDULED_DEPS[0].evaluate(ctx('running')).passed).toBe(false);
    expect(QUEUE_DEPS[0].evaluate(ctx(null)).passed).toBe(false);
  });
});

describe('decideTaskInstance', () => {
  it('schedules when every rule passes; an EmptyOperator succeeds where it stands', () => {
    expect(decideTaskInstance(ctx(null))).toEqual({ kind: 'move', to: 'scheduled', reason: null });
    const empty = ctx(null);
    empty.task = { ...empty.task, operator: 'EmptyOperator' };
    expect(decideTaskInstance(empty)).toEqual({ kind: 'move', to: 'success', reason: null });
  });

  it('ends the task as the trigger rule says when it can no longer be met', () => {
    expect(decideTaskInstance(ctx(null, { upstream: () => countUpstream(['failed']) }))).toEqual({
      kind: 'move',
      to: 'upstream_failed',
      reason: 'all_success: 1 of 1 upstream task failed',
    });
  });

  it('stays, with the failing rule and until when, inside a retry period', () => {
    const nextTryAt = new Date('2026-03-01T13:00:00Z');
    const decision = decideTaskInstance(ctx('up_for_retry', { nextTryAt }));
    expect(decision).toMatchObject({
      kind: 'stay',
      dep: { name: 'Not In Retry Period' },
      status: { until: nextTryAt },
    });
  });

  it('waits on depends_on_past without calling the run deadlocked', () => {
    const decision = decideTaskInstance(
      ctx(null, {
        task: { taskId: 't', triggerRule: 'all_success', dependsOnPast: true, operator: 'BashOperator' },
        previous: { runId: 'r0', state: 'failed' },
      }),
    );
    expect(decision).toMatchObject({ kind: 'stay', status: { waitsOnOtherRuns: true } });
  });
});
