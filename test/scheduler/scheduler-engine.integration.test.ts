import { runEngineSuite } from '../helpers/engine-suite/engine-suite';

type Combo = [kind: 'sqlite' | 'postgres', executor: 'local' | 'sequential'];
const COMBOS: Combo[] = [
  ['sqlite', 'local'],
  ['sqlite', 'sequential'],
  ['postgres', 'local'],
  ['postgres', 'sequential'],
];

describe.each(COMBOS)('scheduler engine on %s with the %s executor', (kind, executor) => {
  runEngineSuite({
    kind,
    env: { DAGCTL__CORE__EXECUTOR: executor, DAGCTL__SCHEDULER__IDLE_SLEEP: '500ms' },
    scenarios: ['engine', 'once', 'pooled', 'failing', 'timeouts'],
  });
});
