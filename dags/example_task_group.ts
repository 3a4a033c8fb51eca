import { BashOperator, DAG, EmptyOperator, FunctionOperator, LatestOnlyOperator, TaskGroup } from 'dagctl';

/**
 * Task groups, setup/teardown and LatestOnly:
 *   latest_only → start → [extract: a, b → [clean: dedupe]] → [load: create_table → write → drop_tmp] → end
 * `extract` retries twice (the group's defaultArgs), `load.drop_tmp` is a teardown that runs even
 * when `load.write` fails, and whether the run succeeds is decided by the work tasks.
 */
const dag = new DAG('example_task_group', {
  description: 'Task groups, setup/teardown tasks and LatestOnly',
  schedule: '@daily',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  tags: ['example'],
});

// Only the latest scheduled interval does the work; manual runs always do.
const latestOnly = new LatestOnlyOperator({ taskId: 'latest_only', dag });
const start = new EmptyOperator({ taskId: 'start', dag });

const extract = new TaskGroup('extract', { dag, defaultArgs: { retries: 2, retryDelay: '10s' } });
const a = new FunctionOperator({ taskId: 'a', taskGroup: extract, fn: () => [1, 2, 2], dag });
const b = new FunctionOperator({ taskId: 'b', taskGroup: extract, fn: () => [3], dag });
const clean = new TaskGroup('clean', { dag, parentGroup: extract });
const dedupe = new FunctionOperator({
  taskId: 'dedupe', // → extract.clean.dedupe
  taskGroup: clean,
  fn: (ctx) => [
    ...new Set([...(ctx.xcomPull<number[]>('extract.a') ?? []), ...(ctx.xcomPull<number[]>('extract.b') ?? [])]),
  ],
  dag,
});
[a, b].forEach((task) => task.then(dedupe));

const load = new TaskGroup('load', { dag });
const createTable = new BashOperator({
  taskId: 'create_table',
  taskGroup: load,
  bashCommand: 'echo "creating tmp table for {{ ds }}"',
  dag,
}).asSetup();
const write = new FunctionOperator({
  taskId: 'write',
  taskGroup: load,
  fn: (ctx) => `wrote ${(ctx.xcomPull<number[]>('extract.clean.dedupe') ?? []).length} rows`,
  dag,
});
const dropTmp = new BashOperator({
  taskId: 'drop_tmp',
  taskGroup: load,
  bashCommand: 'echo "dropping tmp table"',
  dag,
});
dropTmp.asTeardown({ setups: createTable });
createTable.then(write).then(dropTmp);

const end = new EmptyOperator({ taskId: 'end', dag });
latestOnly.then(start).then(extract).then(load).then(end);

export default dag;
