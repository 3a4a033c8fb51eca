/**
 * DAGs for the mapping engine tests beyond plain expand (mapping-kwargs-engine): expandKwargs,
 * re-expansion on clear, depends_on_past per map index and a reduce through the filesystem XCom
 * backend, by file name. `home` is the test home: some tasks read a file there that the test
 * changes between runs.
 */
export function mappingMoreDags(home: string): Record<string, string> {
  return {
    'kwargs.ts': `
import { DAG, BashOperator, task } from 'dagctl';
const dag = new DAG('kwargs', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const rows = task({ taskId: 'rows', dag }, () => [{ bashCommand: 'echo one' }, { bashCommand: 'echo two' }]);
const fromTask = BashOperator.partial({ taskId: 'bash_up', dag, bashCommand: 'false' }).expandKwargs(rows());
BashOperator.partial({ taskId: 'bash_literal', dag }).expandKwargs([
  { bashCommand: 'echo lit' },
  { bashCommand: 'pwd', cwd: '/tmp' },
]);
const pairs = task({ taskId: 'pairs', dag }, (): Array<[string, number]> => [['a', 1], ['b', 2], ['c', 3]]);
const label = task({ taskId: 'label', dag }, (_ctx, s: string, n: number) => s + n);
const joined = task({ taskId: 'joined', dag }, (_ctx, xs: string[]) => xs.join(','));
joined(label.expandKwargs(pairs()));
const base = task({ taskId: 'base', dag }, () => 10);
const mul = task({ taskId: 'mul', dag }, (_ctx, b: number, x: number, y: number) => b + x * y);
const sum = task({ taskId: 'sum', dag }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
sum(mul.partial(base()).expandKwargs([[1, 2], [3, 4]]));
const echoed = task({ taskId: 'echoed', dag }, (ctx) => ctx.xcomPull('bash_up'))();
fromTask.then(echoed.task);
export default dag;
`,
    'kwargs_bad.ts': `
import { DAG, BashOperator, task } from 'dagctl';
const dag = new DAG('kwargs_bad', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const notObjects = task({ taskId: 'not_objects', dag }, () => [{ bashCommand: 'echo ok' }, 5] as never);
BashOperator.partial({ taskId: 'of_not_objects', dag, bashCommand: 'true' }).expandKwargs(notObjects());
const typo = task({ taskId: 'typo', dag }, () => [{ bashComand: 'echo typo' }] as never);
BashOperator.partial({ taskId: 'of_typo', dag, bashCommand: 'true' }).expandKwargs(typo());
export default dag;
`,
    'remap.ts': `
import fs from 'node:fs';
import { DAG, task } from 'dagctl';
const dag = new DAG('remap', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const n = task({ taskId: 'n', dag }, () =>
  Array.from({ length: Number(fs.readFileSync(${JSON.stringify(`${home}/remap-length`)}, 'utf8')) }, (_, i) => i),
);
const each = task({ taskId: 'each', dag }, (_ctx, i: number) => i * 10);
const total = task({ taskId: 'total', dag }, (_ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
total(each.expand(n()));
export default dag;
`,
    'past_map.ts': `
import fs from 'node:fs';
import { DAG, task } from 'dagctl';
const dag = new DAG('past_map', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const nums = task({ taskId: 'nums', dag }, () => [0, 1, 2]);
const each = task({ taskId: 'each', dag, dependsOnPast: true }, (_ctx, i: number) => {
  if (i === 1 && fs.existsSync(${JSON.stringify(`${home}/past-fail`)})) throw new Error('element 1 fails');
  return i;
});
each.expand(nums());
export default dag;
`,
    'fs_reduce.ts': `
import { DAG, task } from 'dagctl';
const dag = new DAG('fs_reduce', { schedule: null, startDate: '2026-01-01T00:00:00Z' });
const parts = task({ taskId: 'parts', dag }, () => [1, 2, 3]);
const blob = task({ taskId: 'blob', dag }, (_ctx, n: number) => ({ n, pad: 'x'.repeat(2000 * n) }));
const reduce = task({ taskId: 'reduce', dag }, (_ctx, xs: Array<{ n: number; pad: string }>) =>
  xs.map((x) => x.n + ':' + x.pad.length),
);
reduce(blob.expand(parts()));
export default dag;
`,
  };
}
