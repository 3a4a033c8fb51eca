import { DagDefinitionError } from '../../core/errors';
import { BaseOperator } from '../base-operator';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import { isTaskOutput, type TaskOutput } from './task-output';

/** The run-time form of a typed task: `fn(ctx, ...inputs)` with inputs pulled from upstream XComs. */
export class TypedTaskOperator extends BaseOperator {
  readonly fn: (ctx: TaskContext, ...inputs: unknown[]) => unknown;
  readonly inputs: readonly TaskOutput<unknown>[];

  constructor(
    options: TaskOptions,
    fn: (ctx: TaskContext, ...inputs: unknown[]) => unknown,
    inputs: readonly unknown[],
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
  }

  async execute(ctx: TaskContext): Promise<unknown> {
    const values = this.inputs.map((input, i) => {
      const value = ctx.xcomPull(input.taskId, input.key);
      if (value === undefined)
        throw new Error(
          `input ${i + 1} has no value: task '${input.taskId}' pushed no XCom '${input.key}' in this run`,
        );
      return value;
    });
    return await this.fn(ctx, ...values);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
