import { DAG } from '../../../src/authoring/dag';
import { BashOperator } from '../../../src/authoring/operators/bash-operator';
import { serializeDag } from '../../../src/authoring/serialize-dag';
import { task } from '../../../src/authoring/typed/task';
import { outputOf, TaskOutput } from '../../../src/authoring/typed/task-output';
import { fakeTaskContext } from '../helpers/fake-task-context';

function newDag(): DAG {
  return new DAG('typed', { schedule: null });
}

describe('typed tasks', () => {
  test('calling a task with outputs creates the task downstream of them', () => {
    const dag = newDag();
    const a = task({ taskId: 'a', dag }, () => 1);
    const b = task({ taskId: 'b', dag }, () => 'x');
    const c = task({ taskId: 'c', dag }, (_ctx, n: number, s: string) => `${s}${n}`);
    const out = c(a(), b());
    expect(out).toBeInstanceOf(TaskOutput);
    expect(out.taskId).toBe('c');
    expect([...dag.getTask('c').upstreamTaskIds].sort()).toEqual(['a', 'b']);
    expect(dag.getTask('c').operatorName).toBe('TypedTaskOperator');
    const serialized = serializeDag(dag);
    expect(serialized.tasks.map((t) => t.taskId)).toEqual(['a', 'b', 'c']);
    expect(serialized.tasks[2]).toMatchObject({ upstream: ['a', 'b'], templateFields: {} });
  });

  test('at run time the inputs are the upstream XComs, in order, and ctx is there', async () => {
    const dag = newDag();
    const a = task({ taskId: 'a', dag }, () => 2);
    const b = task({ taskId: 'b', dag }, () => [1, 2, 3]);
    task({ taskId: 'c', dag }, (ctx, n: number, xs: number[]) => `${ctx.ds}: ${xs.map((x) => x * n).join(',')}`)(
      a(),
      b(),
    );
    const ctx = fakeTaskContext({ xcoms: { a: 2, b: [1, 2, 3] } });
    await expect(dag.getTask('c').execute(ctx)).resolves.toBe('2026-01-02: 2,4,6');
  });

  test('an async function: its awaited value is the XCom', async () => {
    const dag = newDag();
    task({ taskId: 'a', dag }, async () => Promise.resolve({ ok: true }))();
    await expect(dag.getTask('a').execute(fakeTaskContext())).resolves.toEqual({ ok: true });
  });

  test('a missing upstream value fails the task naming the input and the task', async () => {
    const dag = newDag();
    const a = task({ taskId: 'a', dag }, () => 1);
    task({ taskId: 'b', dag }, (_ctx, n: number) => n)(a());
    await expect(dag.getTask('b').execute(fakeTaskContext())).rejects.toThrow(
      "input 1 has no value: task 'a' pushed no XCom 'return_value' in this run",
    );
  });

  test('an input that is not a task output is a clear import error', () => {
    const dag = newDag();
    const b = task({ taskId: 'b', dag }, (_ctx, n: number) => n) as unknown as (n: unknown) => unknown;
    expect(() => b(5)).toThrow(
      "DAG 'typed', task 'b': input 1 is not the output of a task (got number); " +
        'pass the value returned by calling another typed task, or outputOf(operator)',
    );
  });

  test('an output of another DAG is refused', () => {
    const one = newDag();
    const other = new DAG('other', { schedule: null });
    const a = task({ taskId: 'a', dag: other }, () => 1)();
    expect(() => task({ taskId: 'b', dag: one }, (_ctx, n: number) => n)(a)).toThrow(/tasks of different DAGs/);
  });

  test('in a templated field an output renders as its xcom_pull; classic outputs can be typed', async () => {
    const dag = newDag();
    const bash = new BashOperator({ taskId: 'bash', bashCommand: 'echo 41', dag });
    const out = outputOf<string>(bash);
    expect(out.template).toBe("{{ ti.xcom_pull(task_ids='bash') }}");
    expect(String(out)).toBe(out.template);
    expect(String(outputOf(bash, 'extra'))).toBe("{{ ti.xcom_pull(task_ids='bash', key='extra') }}");
    task({ taskId: 'inc', dag }, (_ctx, s: string) => Number(s) + 1)(out);
    expect([...dag.getTask('inc').upstreamTaskIds]).toEqual(['bash']);
    await expect(dag.getTask('inc').execute(fakeTaskContext({ xcoms: { bash: '41' } }))).resolves.toBe(42);
  });
});
