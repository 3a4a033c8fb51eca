import { withSetupsAndTeardowns } from '../../src/core/task-graph';
import { countUpstream } from '../../src/scheduler/deps/upstream-counts';
import { evaluateTriggerRule } from '../../src/scheduler/deps/trigger-rule-dep';
import { runStateTaskIds } from '../../src/scheduler/dag-run-state';
import { makeDag } from './make-task';

describe('all_done_setup_success (a teardown trigger rule, Airflow 2.7)', () => {
  const rule = 'all_done_setup_success' as const;
  test.each([
    [['success', 'failed'], ['success'], 'run'],
    [['success', 'upstream_failed'], ['success'], 'run'],
    [['success', null], ['success'], 'wait'],
    [['failed', 'upstream_failed'], ['failed'], 'upstream_failed'],
    [['skipped', 'skipped'], ['skipped'], 'skip'],
    [['failed', 'success'], [], 'run'],
  ] as const)('upstream %j with setups %j → %s', (upstream, setups, kind) => {
    const decision = evaluateTriggerRule(rule, countUpstream([...upstream]), () => countUpstream([...setups]));
    expect(decision.kind).toBe(kind);
  });
});

describe('runStateTaskIds (which tasks decide the run state)', () => {
  const edges: Array<[string, string]> = [
    ['setup', 'work'],
    ['work', 'teardown'],
    ['setup', 'teardown'],
  ];
  test('the work task decides, not the teardown after it', () => {
    const tasks = makeDag(['setup', 'work', 'teardown'], edges, (id) =>
      id === 'teardown' ? { isTeardown: true } : id === 'setup' ? { isSetup: true } : {},
    );
    expect(runStateTaskIds(tasks)).toEqual(['work']);
  });

  test('onFailureFailDagrun makes the teardown a leaf that decides', () => {
    const tasks = makeDag(['setup', 'work', 'teardown'], edges, (id) =>
      id === 'teardown' ? { isTeardown: true, onFailureFailDagrun: true } : id === 'setup' ? { isSetup: true } : {},
    );
    expect(runStateTaskIds(tasks)).toEqual(['teardown']);
  });

  test('without teardowns: the leaves', () => {
    expect(runStateTaskIds(makeDag(['a', 'b', 'c'], [['a', 'b']]))).toEqual(['b', 'c']);
  });
});

describe('withSetupsAndTeardowns (what clearing a task also clears)', () => {
  const tasks = makeDag(
    ['create', 'work', 'report', 'delete', 'unrelated'],
    [
      ['create', 'work'],
      ['work', 'report'],
      ['report', 'delete'],
      ['create', 'delete'],
    ],
    (id) => (id === 'create' ? { isSetup: true } : id === 'delete' ? { isTeardown: true } : {}),
  );
  const dag = { tasks } as unknown as Parameters<typeof withSetupsAndTeardowns>[0];

  test('a work task brings its upstream setup and that setup’s teardown', () => {
    expect([...withSetupsAndTeardowns(dag, ['report'])].sort()).toEqual(['create', 'delete', 'report']);
  });

  test('a setup brings its teardown; a task without setups comes alone', () => {
    expect([...withSetupsAndTeardowns(dag, ['create'])].sort()).toEqual(['create', 'delete']);
    expect([...withSetupsAndTeardowns(dag, ['unrelated'])]).toEqual(['unrelated']);
  });
});
