import { DAG } from '../../src/authoring/dag';
import { EmptyOperator } from '../../src/authoring/operators/empty-operator';
import { LatestOnlyOperator } from '../../src/authoring/operators/latest-only-operator';
import { ShortCircuitOperator } from '../../src/authoring/operators/short-circuit-operator';
import { explainFailedDeps } from '../../src/scheduler/deps/dep-sets';
import { countUpstream } from '../../src/scheduler/deps/upstream-counts';
import { fakeTaskContext } from './helpers/fake-task-context';

const DAY = 86_400_000;

describe('LatestOnlyOperator', () => {
  const dag = new DAG('latest', { schedule: '@daily', startDate: '2026-01-01T00:00:00Z' });
  const latest = new LatestOnlyOperator({ taskId: 'latest_only', dag });
  latest.then([new EmptyOperator({ taskId: 'a', dag }), new EmptyOperator({ taskId: 'b', dag })]);
  const today = Math.floor(Date.now() / DAY) * DAY;
  const run = (start: number, runType: string) =>
    fakeTaskContext({
      dataIntervalStart: new Date(start),
      dataIntervalEnd: new Date(start + DAY),
      dagRun: { runId: 'r', runType, conf: {}, logicalDate: new Date(start) },
    });

  test('follows everything in the latest scheduled interval, nothing in an older one', async () => {
    expect(await latest.execute(run(today - DAY, 'scheduled'))).toEqual(['a', 'b']);
    expect(await latest.execute(run(today - 3 * DAY, 'scheduled'))).toEqual([]);
    expect(latest.toOutcome([])).toMatchObject({ followTaskIds: [] });
  });

  test('never skips a manual run', async () => {
    expect(await latest.execute(run(today - 3 * DAY, 'manual'))).toEqual(['a', 'b']);
  });
});

describe('ShortCircuitOperator modes', () => {
  const dag = new DAG('sc');
  test('falsy: skips all downstream, or with ignoreDownstreamTriggerRules false only the direct ones', () => {
    const all = new ShortCircuitOperator({ taskId: 'all', fn: () => false, dag });
    const direct = new ShortCircuitOperator({
      taskId: 'direct',
      fn: () => false,
      ignoreDownstreamTriggerRules: false,
      dag,
    });
    expect(all.toOutcome(false)).toMatchObject({ skipDownstream: true });
    expect(direct.toOutcome(false)).toMatchObject({ followTaskIds: [] });
    expect(direct.toOutcome(true)).toEqual({ xcoms: { return_value: true } });
    expect(
      () => new ShortCircuitOperator({ taskId: 'bad', fn: () => 1, dag, ignoreDownstreamTriggerRules: 1 as never }),
    ).toThrow(/ignoreDownstreamTriggerRules/);
  });
});

describe('tasks failed-deps names the new rules', () => {
  test('Task Concurrency and wait_for_downstream appear with their reasons', () => {
    const failed = explainFailedDeps({
      task: { taskId: 't', triggerRule: 'all_success', dependsOnPast: true, waitForDownstream: true },
      state: null,
      nextTryAt: null,
      now: new Date(),
      upstream: () => countUpstream([]),
      previous: { runId: 'r0', state: 'success', downstream: [{ taskId: 'load', state: 'failed' }] },
      dagId: 'd',
      taskId: 't',
      maxActiveTisPerDag: 1,
      pool: 'default_pool',
      poolSlots: 1,
      runState: 'running',
      dagPaused: false,
      dagDraining: false,
      held: null,
      maxActiveTasks: 16,
      slots: {
        poolCapacity: new Map([['default_pool', 128]]),
        poolUsed: new Map(),
        dagActive: new Map(),
        taskActive: new Map([['d\u0000t', 1]]),
        totalActive: 1,
        parallelism: 32,
        executorSlotsFree: null,
      },
    });
    expect(failed.map((f) => f.name)).toEqual(['Previous Dagrun State', 'Task Concurrency']);
    expect(failed[1].reason).toBe(
      'the task has 1 instance queued or running across runs, its max_active_tis_per_dag is 1',
    );
  });
});
