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
