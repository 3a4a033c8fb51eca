import type { TaskOutcome } from '../../core/executor';
import { FunctionOperator, FunctionOperatorOptions } from './function-operator';

/** Runs `fn`; a falsy result skips every task downstream (Airflow's ShortCircuitOperator). */
export class ShortCircuitOperator<A = unknown> extends FunctionOperator<A> {
  constructor(options: FunctionOperatorOptions<A>) {
    super(options);
  }

  override toOutcome(result: unknown): Partial<TaskOutcome> {
    const outcome = super.toOutcome(result);
    return result ? outcome : { ...outcome, skipDownstream: true };
  }
}
