import { runEngineSuite } from '../helpers/engine-suite/engine-suite';

// Issue 14's structure items (task groups, setup/teardown, branch join, short-circuit modes,
// LatestOnly, waitForDownstream, maxActiveTisPerDag).
describe('scheduler engine: DAG structure on sqlite with the local executor', () => {
  runEngineSuite({
    kind: 'sqlite',
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    scenarios: [
      'branch_join',
      'groups',
      'teardown',
      'teardown_fails',
      'short_circuit_rules',
      'latest_only',
      'wait_downstream',
      'max_tis',
    ],
  });
});
