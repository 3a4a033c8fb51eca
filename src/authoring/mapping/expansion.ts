import { DagDefinitionError } from '../../core/errors';
import type { ExpandKwargsShape, SerializedExpansion } from '../../core/serialized-dag';
import { kindOf } from '../sdk-kind';
import { toJsonValue } from '../to-json-value';
import type { OutputRef } from '../typed/output-brand';

/** An output as expansion needs it at run time: where to pull it from, and the task to depend on. */
export type ExpandOutput = OutputRef<unknown> & { readonly task: { setDownstream(other: never): void } };

/** One expanded argument as the DAG file gave it: a literal list, or an upstream task's output. */
export type ExpandSource = (
  | { readonly name: string; readonly literal: readonly unknown[] }
  | { readonly name: string; readonly output: ExpandOutput }
) & {
  /** `expandKwargs`: each element is one map index's arguments (an object, or a typed task's tuple). */
  readonly kwargs?: ExpandKwargsShape;
};

/** The one argument an `expandKwargs` task expands over, by this name in the serialized DAG. */
export const KWARGS_ARG = 'kwargs';

/** What a mapped task expands over (Airflow's `expand(...)`), kept on its operator. */
export interface OperatorExpansion {
  readonly args: readonly ExpandSource[];
}

/**
 * The `expand()` argument of a classic operator with options O: each named option given as a
 * list of its values, or as the output of a task that returns such a list (typed by the
 * producer: a `TaskOutput<number[]>` cannot feed a string option).
 */
export type ExpandArgs<O> = { [K in keyof O]?: readonly O[K][] | OutputRef<readonly O[K][]> };

/**
 * Check one `expand()` value and describe it: a list, or the output of a task. Anything else is
 * the DAG file's error, naming the DAG, the task and the argument.
 */
export function expandSource(where: string, name: string, value: unknown): ExpandSource {
  if (Array.isArray(value)) return { name, literal: value as unknown[] };
  if (kindOf(value) === 'output') return { name, output: value as ExpandOutput };
  throw new DagDefinitionError(
    `${where}: expand argument '${name}' must be a list or the output of a task (got ${describe(value)})`,
  );
}

/**
 * Check an `expandKwargs()` value (Airflow's `expand_kwargs`): a literal list whose every element
 * has the shape (an object of options, or a tuple of a typed task's mapped parameters), or the
 * output of a task (its elements are checked when it pushes them).
 */
export function expandKwargsSource(where: string, value: unknown, shape: ExpandKwargsShape): ExpandSource {
  if (kindOf(value) === 'output') return { name: KWARGS_ARG, output: value as ExpandOutput, kwargs: shape };
  if (!Array.isArray(value))
    throw new DagDefinitionError(
      `${where}: expandKwargs() takes a list (one ${shapeName(shape)} per map index) or the output of a task ` +
        `(got ${describe(value)})`,
    );
  value.forEach((element, i) => {
    if (!hasKwargsShape(element, shape))
      throw new DagDefinitionError(
        `${where}: expandKwargs() element ${i} must be ${shapeName(shape, true)} (got ${describeElement(element)})`,
      );
  });
  return { name: KWARGS_ARG, literal: value as unknown[], kwargs: shape };
}

/**
 * An `expandKwargs` element of a classic operator sets only the operator's own options (task
 * options such as retries or pool are the scheduler's and cannot vary per map index).
 */
export function checkKwargsKeys(where: string, element: object, index: number, mappable: readonly string[]): void {
  for (const name of Object.keys(element)) {
    if (mappable.includes(name)) continue;
    throw new DagDefinitionError(
      `${where}: expandKwargs() element ${index} sets '${name}', which is not an option this operator ` +
        `can map over (${mappable.length ? mappable.join(', ') : 'none'})`,
    );
  }
}

/** Whether one `expandKwargs` element is what its consumer needs (shared with the runner). */
export function hasKwargsShape(element: unknown, shape: ExpandKwargsShape): boolean {
  if (shape === 'tuple') return Array.isArray(element);
  return typeof element === 'object' && element !== null && !Array.isArray(element);
}

/** 'an object of options' / 'a list of the mapped parameters' (with the article when `one`). */
export function shapeName(shape: ExpandKwargsShape, one = false): string {
  const name = shape === 'tuple' ? 'list of the mapped parameters' : 'object of options';
  return one ? `${shape === 'tuple' ? 'a' : 'an'} ${name}` : name;
}

/** A JSON-ish type name for an element: 'an array', 'null', 'a number'. */
export function describeElement(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * The value an operator is constructed with for an expanded option, so its own checks run: the
 * first element of a literal list (the type the operator expects), else the template that pulls
 * the upstream value (a string, which every templated field accepts). Each map index gets its
 * own element at run time (`withExpandedValues`).
 */
export function sampleValue(source: ExpandSource): unknown {
  if ('literal' in source) return source.literal.length > 0 ? source.literal[0] : '{{ expanded }}';
  const key = source.output.key === 'return_value' ? '' : `, key='${source.output.key}'`;
  return `{{ ti.xcom_pull(task_ids='${source.output.taskId}'${key}) }}`;
}

/** The stored form: literal lists as JSON, outputs by task id and key. */
export function serializeExpansion(expansion: OperatorExpansion): SerializedExpansion {
  return {
    args: expansion.args.map((arg) => ({
      ...('literal' in arg
        ? { name: arg.name, literal: toJsonValue(arg.literal) as unknown[] }
        : { name: arg.name, upstream: { taskId: arg.output.taskId, key: arg.output.key } }),
      ...(arg.kwargs ? { kwargs: arg.kwargs } : {}),
    })),
  };
}

/** Where a DAG file's options name the task: "DAG 'd', task 't'" (or what is known of it). */
export function whereOf(options: unknown): string {
  const given = (options ?? {}) as { taskId?: unknown; dag?: { dagId?: unknown } };
  const dag = typeof given.dag?.dagId === 'string' ? `DAG '${given.dag.dagId}'` : 'no DAG';
  return `${dag}, task '${typeof given.taskId === 'string' ? given.taskId : '?'}'`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (kindOf(value) === 'operator') return 'a task (pass its output)';
  return typeof value === 'object' ? 'an object' : typeof value;
}
