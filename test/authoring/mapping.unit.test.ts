import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../src/core/errors';
import { elementIndexes, expandedLength } from '../../src/core/map-expansion';
import { loadDagFile } from '../../src/authoring/load-dag-file';
import { serializeDag } from '../../src/authoring/serialize-dag';
import { BashOperator, DAG, FunctionOperator, task } from '../../src';

const dagsDir = mkdtempSync(join(tmpdir(), 'dagctl-mapping-'));

async function loadError(name: string, text: string): Promise<string> {
  const file = join(dagsDir, name);
  writeFileSync(file, text);
  try {
    await loadDagFile(file, { fresh: true });
  } catch (err) {
    return errorMessage(err);
  }
  throw new Error(`${file} loaded without error`);
}

describe('dynamic task mapping: authoring', () => {
  test('a mapped task serializes its expansion: literal lists and upstream outputs, in order', () => {
    const dag = new DAG('m', { schedule: null });
    const numbers = task({ taskId: 'numbers', dag }, () => [1, 2]);
    const pair = task({ taskId: 'pair', dag }, (_ctx, label: string, n: number) => label + n);
    pair.expand(['a', 'b'], numbers());
    BashOperator.partial({ taskId: 'echo', dag, retries: 2 }).expand({ bashCommand: ['echo 1', 'echo 2'] });
    const serialized = serializeDag(dag);
    const byId = new Map(serialized.tasks.map((t) => [t.taskId, t]));
    expect(byId.get('pair')).toMatchObject({
      upstream: ['numbers'],
      mapped: {
        args: [
          { name: 'input 1', literal: ['a', 'b'] },
          { name: 'input 2', upstream: { taskId: 'numbers', key: 'return_value' } },
        ],
      },
    });
    expect(byId.get('echo')).toMatchObject({
      retries: 2,
      mapped: { args: [{ name: 'bashCommand', literal: ['echo 1', 'echo 2'] }] },
    });
    expect(byId.get('numbers')!.mapped).toBeUndefined();
  });

  test('each map index gets its own elements (cross product, last argument fastest)', () => {
    expect(expandedLength([2, 3])).toBe(6);
    expect(expandedLength([4, 0])).toBe(0);
    expect([0, 1, 2, 3, 4, 5].map((i) => elementIndexes(i, [2, 3]))).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    const dag = new DAG('x', { schedule: null });
    const op = FunctionOperator.partial({ taskId: 'f', dag, fn: (_ctx, args) => args }).expand({ args: [1, 2] });
    expect(op.withExpandedValues({ args: 2 }).args).toBe(2);
    expect(op.args).toBe(1);
  });

  test('a bad literal is an import error naming the DAG, the task and the argument', async () => {
    const notAList = await loadError(
      'not_a_list.ts',
      `import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('bad_literal', { schedule: null });
BashOperator.partial({ taskId: 'echo', dag }).expand({ bashCommand: 'echo 1' as never });
export default dag;`,
    );
    expect(notAList).toContain(
      "DAG 'bad_literal', task 'echo': expand argument 'bashCommand' must be a list or the output of a task " +
        '(got string)',
    );
    const wrongElement = await loadError(
      'wrong_element.ts',
      `import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('bad_element', { schedule: null });
BashOperator.partial({ taskId: 'echo', dag }).expand({ bashCommand: [3] as never });
export default dag;`,
    );
    expect(wrongElement).toContain("DAG 'bad_element', task 'echo': option 'bashCommand' must be a non-empty string");
    const twice = await loadError(
      'twice.ts',
      `import { DAG, BashOperator } from 'dagctl';
const dag = new DAG('twice', { schedule: null });
BashOperator.partial({ taskId: 'echo', dag, bashCommand: 'x' }).expand({ bashCommand: ['y'] });
export default dag;`,
    );
    expect(twice).toContain("DAG 'twice', task 'echo': 'bashCommand' is given to both partial() and expand()");
    const typedConstant = await loadError(
      'typed_constant.ts',
      `import { DAG, task } from 'dagctl';
const dag = new DAG('typed_constant', { schedule: null });
const each = task({ taskId: 'each', dag }, (_ctx, n: number) => n);
each.expand(5 as never);
export default dag;`,
    );
    expect(typedConstant).toContain(
      "DAG 'typed_constant', task 'each': expand argument 'input 1' must be a list or the output of a task " +
        '(got number)',
    );
  });
  test('expandKwargs serializes one kwargs list: literal option objects, or an output of tuples', () => {
    const dag = new DAG('kw', { schedule: null });
    BashOperator.partial({ taskId: 'echo', dag }).expandKwargs([
      { bashCommand: 'echo 1' },
      { bashCommand: 'pwd', cwd: '/' },
    ]);
    const rows = task({ taskId: 'rows', dag }, (): Array<[string, number]> => [['a', 1]]);
    const pair = task({ taskId: 'pair', dag }, (_ctx, label: string, n: number) => label + n);
    pair.expandKwargs(rows());
    const byId = new Map(serializeDag(dag).tasks.map((t) => [t.taskId, t]));
    expect(byId.get('echo')!.mapped).toEqual({
      args: [
        { name: 'kwargs', literal: [{ bashCommand: 'echo 1' }, { bashCommand: 'pwd', cwd: '/' }], kwargs: 'object' },
      ],
    });
    expect(byId.get('pair')).toMatchObject({
      upstream: ['rows'],
      mapped: { args: [{ name: 'kwargs', upstream: { taskId: 'rows', key: 'return_value' }, kwargs: 'tuple' }] },
    });
  });

  test('a bad expandKwargs literal is an import error naming the DAG, the task and the element', async () => {
    const load = (name: string, body: string) =>
      loadError(
        `${name}.ts`,
        `import { DAG, BashOperator, task } from 'dagctl';
const dag = new DAG('${name}', { schedule: null });
${body}
export default dag;`,
      );
    expect(
      await load(
        'kw_not_list',
        `BashOperator.partial({ taskId: 'e', dag }).expandKwargs({ bashCommand: 'x' } as never);`,
      ),
    ).toContain(
      "DAG 'kw_not_list', task 'e': expandKwargs() takes a list (one object of options per map index) " +
        'or the output of a task (got an object)',
    );
    expect(
      await load(
        'kw_element',
        `BashOperator.partial({ taskId: 'e', dag }).expandKwargs([{ bashCommand: 'x' }, 'y'] as never);`,
      ),
    ).toContain("DAG 'kw_element', task 'e': expandKwargs() element 1 must be an object of options (got a string)");
    expect(
      await load(
        'kw_twice',
        `BashOperator.partial({ taskId: 'e', dag, cwd: '/' }).expandKwargs([{ bashCommand: 'x', cwd: '/tmp' }]);`,
      ),
    ).toContain(
      "DAG 'kw_twice', task 'e': 'cwd' is given to both partial() and expandKwargs() element 0; give it once",
    );
    expect(
      await load(
        'kw_task_option',
        `BashOperator.partial({ taskId: 'e', dag })
  .expandKwargs([{ bashCommand: 'x' }, { bashCommand: 'y', retries: 2 }]);`,
      ),
    ).toContain(
      "DAG 'kw_task_option', task 'e': expandKwargs() element 1 sets 'retries', " +
        'which is not an option this operator can map over',
    );
    expect(
      await load('kw_tuple', `task({ taskId: 'p', dag }, (_ctx, n: number) => n).expandKwargs([[1], 2] as never);`),
    ).toContain(
      "DAG 'kw_tuple', task 'p': expandKwargs() element 1 must be a list of the mapped parameters (got a number)",
    );
  });
});
