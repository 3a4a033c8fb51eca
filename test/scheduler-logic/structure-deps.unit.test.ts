import type { SlotUsage } from '../../src/scheduler/deps/dep-context';
import { PrevDagrunDep } from '../../src/scheduler/deps/prev-dagrun-dep';
import { TaskConcurrencyDep } from '../../src/scheduler/deps/task-concurrency-dep';
import { taskActiveKey } from '../../src/scheduler/deps/dep-context';
import { takeSlots } from '../../src/scheduler/slot-usage';

function usage(taskActive: Array<[string, number]> = []): SlotUsage {
  return {
    poolCapacity: new Map([['default_pool', 128]]),
    poolUsed: new Map(),
    dagActive: new Map(),
    taskActive: new Map(taskActive),
    totalActive: 0,
    parallelism: 32,
    executorSlotsFree: 8,
  };
}

describe('PrevDagrunDep with wait_for_downstream', () => {
  const task = { taskId: 'extract', triggerRule: 'all_success', dependsOnPast: true, waitForDownstream: true } as const;

  test('waits while a direct downstream instance of the previous run has not succeeded or been skipped', () => {
    const status = PrevDagrunDep.evaluate({
      task,
      state: null,
      previous: {
        runId: 'r1',
        state: 'success',
        downstream: [
          { taskId: 'load', state: 'running' },
          { taskId: 'report', state: 'skipped' },
        ],
      },
    });
    expect(status).toMatchObject({ passed: false, waitsOnOtherRuns: true });
    expect(status.reason).toBe(
      'wait_for_downstream: in the previous run (r1) the downstream task instances load (running) ' +
        'have not succeeded or been skipped',
    );
  });

  test('passes once they all succeeded or were skipped', () => {
    const previous = {
      runId: 'r1',
      state: 'success' as const,
      downstream: [
        { taskId: 'load', state: 'success' as const },
        { taskId: 'report', state: 'skipped' as const },
      ],
    };
    expect(PrevDagrunDep.evaluate({ task, state: null, previous }).passed).toBe(true);
    // Without wait_for_downstream the downstream states do not matter.
    const running = { ...previous, downstream: [{ taskId: 'load', state: 'running' as const }] };
    expect(
      PrevDagrunDep.evaluate({ task: { ...task, waitForDownstream: undefined }, state: null, previous: running })
        .passed,
    ).toBe(true);
  });
});

describe('TaskConcurrencyDep (max_active_tis_per_dag)', () => {
  test('passes below the limit, fails at it with a reason, counting the slots taken in the batch', () => {
    const slots = usage([[taskActiveKey('d', 't'), 1]]);
    const ctx = { dagId: 'd', taskId: 't', maxActiveTisPerDag: 2, slots };
    expect(TaskConcurrencyDep.evaluate(ctx).passed).toBe(true);
    takeSlots(slots, { dagId: 'd', taskId: 't', pool: 'default_pool', poolSlots: 1 });
    expect(TaskConcurrencyDep.evaluate(ctx)).toEqual({
      passed: false,
      reason: 'the task has 2 instances queued or running across runs, its max_active_tis_per_dag is 2',
    });
  });

  test('a task without a limit always passes', () => {
    expect(
      TaskConcurrencyDep.evaluate({ dagId: 'd', taskId: 't', maxActiveTisPerDag: null, slots: usage() }).passed,
    ).toBe(true);
  });
});
