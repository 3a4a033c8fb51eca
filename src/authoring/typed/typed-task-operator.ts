import { DagDefinitionError } from '../../core/errors';
import { BaseOperator } from '../base-operator';
import { expandKwargsSource, expandSource } from '../mapping/expansion';
import { logReturnedValue } from '../returned-value-log';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import { isTaskOutput, type TaskOutput } from './task-output';

/** How a mapped typed task expands: one list per mapped parameter, or one list of parameter tuples. */
export type TypedExpansion = readonly unknown[] | { readonly kwargs: unknown };

/** The run-time form of a typed task: `fn(ctx, ...inputs)` with inputs pulled from upstream XComs. */
export class TypedTaskOperator extends BaseOperator {
  readonly fn: (ctx: TaskContext, ...inputs: unknown[]) => unknown;
  readonly inputs: readonly TaskOutput<unknown>[];
  /** For one map index of a mapped typed task: the elements of the expanded inputs, by name. */
  readonly expandedValues: Readonly<Record<string, unknown>> | null = null;

  /**
   * @param inputs    the outputs given for the leading parameters (all of them, unless mapped)
   * @param expanded  for a mapped task (`.expand(...)`): one list or list-valued output per
   *                  remaining parameter; each map index gets one element of each. For
   *                  `.expandKwargs(list)`: `{ kwargs: list }`, each element the remaining parameters
   */
  constructor(
    options: TaskOptions,
    fn: (ctx: TaskContext, ...inputs: unknown[]) => unknown,
    inputs: readonly unknown[],
    expanded: TypedExpansion | null = null,
  ) {
    super(options);
    if (typeof fn !== 'function') throw new DagDefinitionError(`${this.where}: a typed task needs a function`);
    inputs.forEach((input, i) => {
      // Only a value known to come from an upstream task can be typed and ordered; a constant
      // belongs in the function itself.
      if (!isTaskOutput(input))
        throw new DagDefinitionError(
          `${this.where}: input ${i + 1} is not the output of a task (got ${describe(input)}); ` +
            'pass the value returned by calling another typed task, or outputOf(operator)',
        );
    });
    this.fn = fn;
    this.inputs = inputs as TaskOutput<unknown>[];
    for (const input of this.inputs) input.task.setDownstream(this);
    if (expanded && 'kwargs' in expanded) {
      this.setExpansion({ args: [expandKwargsSource(this.where, expanded.kwargs, 'tuple')] });
    } else if (expanded) {
      if (expanded.length === 0) throw new DagDefinitionError(`${this.where}: expand() needs at least one input`);
      this.setExpansion({
        args: expanded.map((value, i) => expandSource(this.where, `input ${inputs.length + i + 1}`, value)),
      });
    }
  }

  override withExpandedValues(values: Record<string, unknown>): this {
    const copy = super.withExpandedValues({});
    (copy as { expandedValues: Readonly<Record<string, unknown>> | null }).expandedValues = values;
    return copy;
  }

  async execute(ctx: TaskContext): Promise<unknown> {
    const values: unknown[] = this.inputs.map((input, i) => {
      const value = ctx.xcomPull(input.taskId, input.key);
      if (value === undefined)
        throw new Error(
          `input ${i + 1} has no value: task '${input.taskId}' pushed no XCom '${input.key}' in this run`,
        );
      return value;
    });
    for (const arg of this.expansion?.args ?? []) {
      if (!this.expandedValues || !(arg.name in this.expandedValues))
        throw new Error(`${arg.name} is mapped: run one map index of this task, not the task as a whole`);
      const value = this.expandedValues[arg.name];
      // expandKwargs: the element is the tuple of the mapped parameters (checked by the runner).
      if (arg.kwargs === 'tuple') values.push(...(value as unknown[]));
      else values.push(value);
    }
    const value = await this.fn(ctx, ...values);
    logReturnedValue(ctx, value);
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
