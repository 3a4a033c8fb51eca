/**
 * The engine suite's DAGs for issue 14's structure items (task groups, setup/teardown, the
 * branch special case, short-circuit modes); each file's DAG id is its scenario's name.
 */
export const BRANCH_JOIN_DAG = `
import { DAG, BranchOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('branch_join', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const branch = new BranchOperator({ taskId: 'branch', fn: () => 't1', dag });
const t1 = new FunctionOperator({ taskId: 't1', fn: () => 1, dag });
const other = new FunctionOperator({ taskId: 'other', fn: () => 2, dag });
const join = new FunctionOperator({ taskId: 'join', fn: () => 'joined', dag });
branch.then([t1, other, join]);
t1.then(join);
export default dag;
`;

export const GROUPS_DAG = `
import { DAG, EmptyOperator, FunctionOperator, TaskGroup } from 'dagctl';
const dag = new DAG('groups', { schedule: null, startDate: '2026-01-01T00:00:00Z', defaultArgs: { retries: 0 } });
const start = new EmptyOperator({ taskId: 'start', dag });
const extract = new TaskGroup('extract', { dag, defaultArgs: { retries: 2, retryDelay: 10 } });
const flaky = new FunctionOperator({ taskId: 'flaky', taskGroup: extract, dag, fn: (ctx) => {
  if (ctx.tryNumber < 2) throw new Error('first try fails');
  return ctx.taskId;
} });
const inner = new TaskGroup('inner', { dag, parentGroup: extract });
const deep = new FunctionOperator({ taskId: 'deep', taskGroup: inner, dag, fn: (ctx) => ctx.taskId });
const load = new TaskGroup('load', { dag });
new FunctionOperator({ taskId: 'one', taskGroup: load, dag, fn: (ctx) => ctx.xcomPull('extract.inner.deep') });
const end = new EmptyOperator({ taskId: 'end', dag });
flaky.then(deep);
start.then(extract).then(load).then(end);
export default dag;
`;

export const TEARDOWN_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('teardown', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const create = new FunctionOperator({ taskId: 'create_cluster', fn: () => 'up', dag }).asSetup();
const middle = new FunctionOperator({ taskId: 'middle', fn: () => { throw new Error('middle fails'); }, dag });
const last = new FunctionOperator({ taskId: 'last', fn: () => 'never', dag });
const remove = new FunctionOperator({ taskId: 'delete_cluster', fn: () => 'down', dag })
  .asTeardown({ setups: create });
create.then(middle).then(last).then(remove);
export default dag;
`;

export const TEARDOWN_FAILS_DAG = `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('teardown_fails', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const setup = new FunctionOperator({ taskId: 'setup', fn: () => 'up', dag }).asSetup();
const work = new FunctionOperator({ taskId: 'work', fn: () => 'done', dag });
const clean = new FunctionOperator({ taskId: 'clean', fn: () => { throw new Error('clean-up fails'); }, dag })
  .asTeardown({ setups: setup });
const strict = new FunctionOperator({ taskId: 'strict_setup', fn: () => 'up', dag }).asSetup();
const strictClean = new FunctionOperator({ taskId: 'strict_clean', fn: () => 'ok', dag })
  .asTeardown({ setups: strict, onFailureFailDagrun: true });
setup.then(work).then(clean);
strict.then(strictClean);
export default dag;
`;

export const SHORT_CIRCUIT_RULES_DAG = `
import { DAG, FunctionOperator, ShortCircuitOperator } from 'dagctl';
const dag = new DAG('short_circuit_rules', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const gate = new ShortCircuitOperator({ taskId: 'gate', fn: () => false, ignoreDownstreamTriggerRules: false, dag });
const direct = new FunctionOperator({ taskId: 'direct', fn: () => 'no', dag });
const afterAllDone = new FunctionOperator({ taskId: 'after_all_done', triggerRule: 'all_done', fn: () => 'yes', dag });
const afterDefault = new FunctionOperator({ taskId: 'after_default', fn: () => 'no', dag });
gate.then(direct).then([afterAllDone, afterDefault]);
export default dag;
`;

/** Midnight UTC three days ago, so a @daily catchup DAG has three intervals, the last one latest. */
const THREE_DAYS_AGO = `new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000)`;

export const LATEST_ONLY_DAG = `
import { DAG, FunctionOperator, LatestOnlyOperator } from 'dagctl';
const dag = new DAG('latest_only', { schedule: '@daily', catchup: true, startDate: ${THREE_DAYS_AGO} });
const latest = new LatestOnlyOperator({ taskId: 'latest_only', dag });
latest.then(new FunctionOperator({ taskId: 'notify', fn: () => 'sent', dag }));
export default dag;
`;

export const WAIT_DOWNSTREAM_DAG = `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('wait_downstream', {
  schedule: '@daily', catchup: true, maxActiveRuns: 3, startDate: ${THREE_DAYS_AGO},
});
const extract = new FunctionOperator({ taskId: 'extract', waitForDownstream: true, fn: () => 1, dag });
extract.then(new BashOperator({ taskId: 'load', bashCommand: 'sleep 1', dag }));
export default dag;
`;

export const MAX_TIS_DAG = `
import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('max_tis', { schedule: null, startDate: '2026-01-01T00:00:00Z', maxActiveRuns: 3 });
new BashOperator({ taskId: 'only', maxActiveTisPerDag: 1, bashCommand: 'sleep 1', dag });
export default dag;
`;

export const STRUCTURE_DAGS = {
  latest_only: LATEST_ONLY_DAG,
  wait_downstream: WAIT_DOWNSTREAM_DAG,
  max_tis: MAX_TIS_DAG,
  branch_join: BRANCH_JOIN_DAG,
  groups: GROUPS_DAG,
  teardown: TEARDOWN_DAG,
  teardown_fails: TEARDOWN_FAILS_DAG,
  short_circuit_rules: SHORT_CIRCUIT_RULES_DAG,
};
