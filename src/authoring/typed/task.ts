import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import type { Jsonified } from './jsonified';
import { TaskOutput } from './task-output';
import { TypedTaskOperator } from './typed-task-operator';

/** The outputs a typed task is called with: one TaskOutput per parameter after `ctx`. */
export type TaskInputs<I extends readonly unknown[]> = { [K in keyof I]: TaskOutput<I[K]> };

/**
 * A typed task before it is placed in the DAG: calling it with the outputs of other tasks
 * creates the task, downstream of them, and returns its own output: what `fn` returns, awaited
 * and as it comes back from JSON (a `Date` becomes a `string`).
 */
export type TypedTask<I extends readonly unknown[], R> = (
  ...inputs: TaskInputs<I>
) => TaskOutput<Jsonified<Awaited<R>>>;

/**
 * Declares a typed task (Airflow's `@task`): `fn(ctx, ...inputs)` is a plain, possibly async,
 * function. Its parameters after `ctx` are the outputs of the tasks it is called with, so their
 * types, their number and their order are checked by the compiler; what it returns (a JSON value)
 * is its XCom and the type its consumers receive.
 *
 * ```ts
 * const extract = task({ taskId: 'extract', dag }, async () => [3, 4]);
 * const total = task({ taskId: 'total', dag }, (ctx, xs: number[]) => xs.reduce((a, b) => a + b, 0));
 * total(extract()); // extract → total
 * ```
 *
 * `I = []`: a function that declares no inputs takes none (without the default, TypeScript would
 * fall back to the constraint and accept any number of inputs).
 */
export function task<I extends unknown[] = [], R = unknown>(
  options: TaskOptions,
  fn: (ctx: TaskContext, ...inputs: I) => R,
): TypedTask<I, R> {
  return (...inputs) => {
    const operator = new TypedTaskOperator(options, fn as (ctx: TaskContext, ...inputs: unknown[]) => unknown, inputs);
    return new TaskOutput<Jsonified<Awaited<R>>>(operator);
  };
}
