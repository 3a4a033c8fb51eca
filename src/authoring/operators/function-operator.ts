import { DagDefinitionError } from '../../core/errors';
import { BaseOperator } from '../base-operator';
import { logReturnedValue } from '../returned-value-log';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';

export type TaskFunction<A = unknown, R = unknown> = (ctx: TaskContext, args: A) => R | Promise<R>;

export interface FunctionOperatorOptions<A = unknown> extends TaskOptions {
  /** Called with the task context and the rendered `args`; its return value is the XCom. */
  fn: TaskFunction<A>;
  /** Templated values handed to `fn` (Airflow's op_args/op_kwargs). */
  args?: A;
}

/** Runs a (possibly async) function, like Airflow's PythonOperator. */
export class FunctionOperator<A = unknown> extends BaseOperator {
  override readonly templateFields: readonly string[] = ['args'];
  readonly fn: TaskFunction<A>;
  readonly args: A | undefined;

  constructor(options: FunctionOperatorOptions<A>, ownOptionKeys: readonly string[] = []) {
    super(options, ['fn', 'args', ...ownOptionKeys]);
    const { fn, args } = this.mergedOptions as Partial<FunctionOperatorOptions<A>>;
    if (typeof fn !== 'function') throw new DagDefinitionError(`${this.where}: option 'fn' must be a function`);
    this.fn = fn;
    this.args = args;
  }

  async execute(ctx: TaskContext): Promise<unknown> {
    const value = await this.fn(ctx, this.args as A);
    logReturnedValue(ctx, value);
    return value;
  }
}
