import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import type { Jsonified } from './jsonified';
import { TaskOutput } from './task-output';
import { TypedTaskOperator, type TypedExpansion } from './typed-task-operator';

/** The outputs a typed task is called with: one TaskOutput per parameter after `ctx`. */
export type TaskInputs<I extends readonly unknown[]> = { [K in keyof I]: TaskOutput<I[K]> };

/**
 * A typed task before it is placed in the DAG: calling it with the outputs of other tasks
 * creates the task, downstream of them, and returns its own output: what `fn` returns, awaited
 * and as it comes back from JSON (a `Date` becomes a `string`).
 */
export interface TypedTask<I extends readonly unknown[], R> {
  (...inputs: TaskInputs<I>): TaskOutput<Jsonified<Awaited<R>>>;
  /**
   * Dynamic task mapping: one task instance per element of each list (several: their cross
   * product). Each parameter's list is a literal array of its type or the output of a task that
   * returns such an array; the result is the list of every instance's output, in map-index order.
   */
  expand(...inputs: ExpandInputs<I>): TaskOutput<Jsonified<Awaited<R>>[]>;
  /**
   * Airflow's `expand_kwargs`: one task instance per element of one list, each element the tuple
   * of that map index's parameters (`[file, n]`), a literal list or the output of a task.
   */
  expandKwargs(list: ExpandKwargsInput<I>): TaskOutput<Jsonified<Awaited<R>>[]>;
  /** The leading inputs every map index shares (Airflow's `partial`); `.expand` takes the rest. */
  partial<F extends PrefixInputs<I>>(...fixed: F): MappedTypedTask<Drop<I, F['length']>, R>;
}

/** A typed task with its leading inputs given, waiting for the lists of the others. */
export interface MappedTypedTask<I extends readonly unknown[], R> {
  expand(...inputs: ExpandInputs<I>): TaskOutput<Jsonified<Awaited<R>>[]>;
  expandKwargs(list: ExpandKwargsInput<I>): TaskOutput<Jsonified<Awaited<R>>[]>;
}

/** What `expandKwargs` takes: a list of parameter tuples, or the output of a task returning one. */
export type ExpandKwargsInput<I extends readonly unknown[]> = readonly I[] | TaskOutput<readonly I[]>;

/** What `expand` takes per parameter: a list of values of its type, or the output of a task returning one. */
export type ExpandInputs<I extends readonly unknown[]> = {
  [K in keyof I]: readonly I[K][] | TaskOutput<readonly I[K][]>;
};

/** The outputs for any leading part of the parameters (all, some, or none of them). */
type PrefixInputs<I extends readonly unknown[]> =
  Prefixes<I> extends infer P ? (P extends readonly unknown[] ? TaskInputs<P> : never) : never;
type Prefixes<T extends readonly unknown[]> = T extends readonly [...infer H, unknown] ? T | Prefixes<H> : T;
/** T without its first N elements. */
type Drop<T extends readonly unknown[], N extends number, C extends unknown[] = []> = C['length'] extends N
  ? T
  : T extends readonly [unknown, ...infer Rest]
    ? Drop<Rest, N, [...C, unknown]>
    : [];

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
  const body = fn as (ctx: TaskContext, ...inputs: unknown[]) => unknown;
  const place = (inputs: readonly unknown[], expanded: TypedExpansion | null) =>
    new TaskOutput<never>(new TypedTaskOperator(options, body, inputs, expanded));
  const typed = (...inputs: TaskInputs<I>) => place(inputs, null) as TaskOutput<Jsonified<Awaited<R>>>;
  return Object.assign(typed, {
    expand: (...expanded: ExpandInputs<I>) => place([], expanded) as TaskOutput<Jsonified<Awaited<R>>[]>,
    expandKwargs: (list: ExpandKwargsInput<I>) => place([], { kwargs: list }) as TaskOutput<Jsonified<Awaited<R>>[]>,
    partial: <F extends PrefixInputs<I>>(...fixed: F) => ({
      expand: (...expanded: ExpandInputs<Drop<I, F['length']>>) => place(fixed, expanded),
      expandKwargs: (list: ExpandKwargsInput<Drop<I, F['length']>>) => place(fixed, { kwargs: list }),
    }),
  });
}
