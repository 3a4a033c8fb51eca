import { BashOperator, DAG, FunctionOperator, task } from 'dagctl';

/**
 * Dynamic task mapping: one task instance per element of a list known only at run time, and a
 * reduce that receives every instance's output in map-index order.
 */
const dag = new DAG('example_mapping', {
  description: 'Dynamic task mapping: fan out over a run-time list, then reduce',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tags: ['example'],
});

// The list to map over is an upstream output, known when the run gets there.
const listFiles = task({ taskId: 'list_files', dag }, (): string[] => ['a.csv', 'b.csv', 'c.csv']);

// One task instance per file (map_index 0, 1, 2); each retries on its own.
const countRows = task({ taskId: 'count_rows', dag, retries: 2 }, (ctx, file: string) => {
  ctx.log.info(`counting ${file} (map index ${ctx.mapIndex})`);
  return file.length * 10;
});

// The reduce: a string[] in, the mapped task's number[] out of `expand`, in map-index order.
const total = task({ taskId: 'total', dag }, (ctx, counts: number[]) => {
  const sum = counts.reduce((a, b) => a + b, 0);
  ctx.log.info(`${counts.length} files, ${sum} rows`);
  return sum;
});
const counts = countRows.expand(listFiles());
total(counts);

// Classic operators: constants in partial(), the varying options in expand(); two lists give
// their cross product (2 × 2 = 4 task instances).
BashOperator.partial({ taskId: 'greet', dag }).expand({
  bashCommand: ['echo hello', 'echo bonjour'],
  cwd: ['/tmp', '/'],
});

// expandKwargs (Airflow's expand_kwargs): one element per map index, holding all its arguments —
// an object of options for a classic operator, the tuple of the mapped parameters for a typed task.
BashOperator.partial({ taskId: 'copy', dag }).expandKwargs([
  { bashCommand: 'echo copying a.csv' },
  { bashCommand: 'pwd', cwd: '/tmp' },
]);
const batches = task({ taskId: 'batches', dag }, (): Array<[string, number]> => [
  ['a.csv', 2],
  ['b.csv', 3],
]);
const split = task({ taskId: 'split', dag }, (_ctx, file: string, parts: number) => `${file} in ${parts} parts`);
split.expandKwargs(batches());

// A classic task pulls a mapped task's XCom as the list of its outputs too.
const report = new FunctionOperator({
  taskId: 'report',
  dag,
  fn: (ctx) => `counts: ${JSON.stringify(ctx.xcomPull<number[]>('count_rows'))}`,
});
counts.task.then(report);

export default dag;
