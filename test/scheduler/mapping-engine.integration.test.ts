import { runEngineSuite } from '../helpers/engine-suite/engine-suite';

// Dynamic task mapping through the real scheduler, executor and database (README "Dynamic task mapping").
describe.each(['sqlite', 'postgres'] as const)('dynamic task mapping on %s with the local executor', (kind) => {
  runEngineSuite({
    kind,
    env: { DAGCTL__CORE__EXECUTOR: 'local', DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    scenarios: ['mapping', 'mapping_limits'],
  });
});
