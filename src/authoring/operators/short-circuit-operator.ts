import type { TaskOutcome } from '../../core/executor';
import { DagDefinitionError } from '../../core/errors';
import { FunctionOperator, FunctionOperatorOptions } from './function-operator';

export interface ShortCircuitOperatorOptions<A = unknown> extends FunctionOperatorOptions<A> {
  /**
   * true (default): a falsy result skips every task downstream, whatever its trigger rule.
   * false: only the direct downstream tasks are skipped; the tasks after them follow their own
   * trigger rules (Airflow's `ignore_downstream_trigger_rules=False`).
   */
  ignoreDownstreamTriggerRules?: boolean;
}

/** Runs `fn`; a falsy result skips the tasks downstream (Airflow's ShortCircuitOperator). */
export class ShortCircuitOperator<A = unknown> extends FunctionOperator<A> {
  readonly ignoreDownstreamTriggerRules: boolean;

  constructor(options: ShortCircuitOperatorOptions<A>) {
    super(options, ['ignoreDownstreamTriggerRules']);
    const ignore = this.mergedOptions.ignoreDownstreamTriggerRules ?? true;
    if (typeof ignore !== 'boolean')
      throw new DagDefinitionError(`${this.where}: option 'ignoreDownstreamTriggerRules' must be true or false`);
    this.ignoreDownstreamTriggerRules = ignore;
  }

  override toOutcome(result: unknown): Partial<TaskOutcome> {
    const outcome = super.toOutcome(result);
    if (result) return outcome;
    // Following no task skips exactly the direct downstream tasks (as a branch that picks none).
    return this.ignoreDownstreamTriggerRules ? { ...outcome, skipDownstream: true } : { ...outcome, followTaskIds: [] };
  }
}
