import { STRUCTURE_DAGS } from './structure-dags';

/** The DAGs of the engine suite (engine-suite.ts), one per scenario; each file's DAG id is its scenario's name. */
export const ENGINE_DAG = `
import { DAG, BashOperator, FunctionOperator, BranchOperator, EmptyOperator, ShortCircuitOperator } from 'dagctl';

const dag = new DAG('engine', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const start = new EmptyOperator({ taskId: 'start', dag });
const produce = new FunctionOperator({ taskId: 'produce', fn: () => 21, dag });
const double = new FunctionOperator({ taskId: 'double', fn: (ctx) => (ctx.xcomPull<number>('produce') ?? 0) * 2, dag });
const flaky = new FunctionOperator({ taskId: 'flaky', retries: 2, retryDelay: 10, dag, fn: (ctx) => {
  if (ctx.tryNumber < 2) throw new Error('first try fails');
  return ctx.tryNumber;
} });
const skipper = new BashOperator({ taskId: 'skipper', bashCommand: 'echo skipping; exit 99', dag });
const afterSkip = new FunctionOperator({ taskId: 'after_skip', fn: () => 'never', dag });
const branch = new BranchOperator({ taskId: 'branch', fn: () => 'left', dag });
const left = new FunctionOperator({ taskId: 'left', fn: () => 'L', dag });
const right = new FunctionOperator({ taskId: 'right', fn: () => 'R', dag });
const gate = new ShortCircuitOperator({ taskId: 'gate', fn: () => false, dag });
const gated = new FunctionOperator({ taskId: 'gated', fn: () => 'no', dag });
const join = new FunctionOperator({
  taskId: 'join', triggerRule: 'none_failed', fn: (ctx) => ctx.xcomPull('double'), dag,
});
start.then([produce, flaky, skipper, branch, gate]);
produce.then(double);
skipper.then(afterSkip);
branch.then([left, right]);
gate.then(gated);
join.setUpstream([double, flaky, left, right, afterSkip]);
export default dag;
`;

export const FAILING_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('failing', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const boom = new FunctionOperator({ taskId: 'boom', fn: () => { throw new Error('boom'); }, dag });
const after = new FunctionOperator({ taskId: 'after', fn: () => 1, dag });
const cleanup = new FunctionOperator({ taskId: 'cleanup', triggerRule: 'all_done', fn: () => 'cleaned', dag });
boom.then(after).then(cleanup);
export default dag;
`;

export const TIMEOUT_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('timeouts', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
new BashOperator({
  taskId: 'sleepy',
  bashCommand: 'echo $$ > "$PID_FILE"; sleep 60',
  env: { PID_FILE: process.env.DAGCTL_HOME + '/sleepy.pid' },
  executionTimeout: '1s',
  dag,
});
export default dag;
`;

export const ONCE_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('once', { schedule: '@once', startDate: '2026-01-01T00:00:00Z' });
new FunctionOperator({ taskId: 'only', fn: () => 'ran', dag });
export default dag;
`;

export const POOLED_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('pooled', { schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveTasks: 3 });
for (let i = 0; i < 6; i++) new BashOperator({ taskId: 'p' + i, pool: 'tiny', bashCommand: 'sleep 0.4', dag });
for (let i = 0; i < 6; i++) new BashOperator({ taskId: 'm' + i, bashCommand: 'sleep 0.4', dag });
export default dag;
`;

/** Dynamic task mapping: upstream lists, literals, cross product, partial, empty lists, per-index retries. */
export const MAPPING_DAG = `
import { DAG, BashOperator, FunctionOperator, task } from 'dagctl';
const dag = new DAG('mapping', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const numbers = task({ taskId: 'numbers', dag }, () => Array.from({ length: 100 }, (_, i) => i + 1));
const double = task({ taskId: 'double', dag }, (_ctx, n: number) => n * 2);
const total = task({ taskId: 'total', dag }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
const doubled = double.expand(numbers());
total(doubled);
const pulled = new FunctionOperator({ taskId: 'pulled', dag, fn: (ctx) => ctx.xcomPull<number[]>('double')?.length });
doubled.task.then(pulled);

const pair = task({ taskId: 'pair', dag }, (_ctx, label: string, n: number) => label + n);
const joined = task({ taskId: 'joined', dag }, (_ctx, xs: string[]) => xs.join(','));
joined(pair.expand(['a', 'b'], [1, 2, 3]));

const base = task({ taskId: 'base', dag }, () => 100);
const addTo = task({ taskId: 'add_to', dag }, (_ctx, b: number, n: number) => b + n);
addTo.partial(base()).expand([1, 2]);

const none = task({ taskId: 'none', dag }, (): number[] => []);
const eachNone = task({ taskId: 'each_none', dag }, (_ctx, n: number) => n);
const afterNone = new FunctionOperator({ taskId: 'after_none', dag, fn: () => 'never' });
eachNone.expand(none()).task.then(afterNone);

const flaky = FunctionOperator.partial({
  taskId: 'flaky', dag, retries: 1, retryDelay: 0,
  fn: (ctx, n) => { if (n === 3 && ctx.tryNumber < 2) throw new Error('element 3 fails once'); return n; },
}).expand({ args: [1, 2, 3, 4] });
const afterFlaky = new FunctionOperator({ taskId: 'after_flaky', dag, fn: (ctx) => ctx.xcomPull('flaky') });
flaky.then(afterFlaky);

BashOperator.partial({ taskId: 'echo', dag }).expand({ bashCommand: ['echo one', 'echo two'] });
export default dag;
`;

/** Mapping that cannot expand: above core.max_map_length, and a value that is not a list. */
export const MAPPING_LIMITS_DAG = `
import { DAG, task } from 'dagctl';
const dag = new DAG('mapping_limits', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const many = task({ taskId: 'many', dag }, () => Array.from({ length: 1100 }, (_, i) => i));
const each = task({ taskId: 'each', dag }, (_ctx, n: number) => n);
each.expand(many());
const notList = task({ taskId: 'not_list', dag }, (): number[] => 7 as unknown as number[]);
const eachOf = task({ taskId: 'each_of', dag }, (_ctx, n: number) => n);
eachOf.expand(notList());
export default dag;
`;

export const ENGINE_SUITE_DAGS = {
  ...STRUCTURE_DAGS,
  mapping: MAPPING_DAG,
  mapping_limits: MAPPING_LIMITS_DAG,
  engine: ENGINE_DAG,
  once: ONCE_DAG,
  pooled: POOLED_DAG,
  failing: FAILING_DAG,
  timeouts: TIMEOUT_DAG,
} as const;

export type EngineScenario = keyof typeof ENGINE_SUITE_DAGS;
