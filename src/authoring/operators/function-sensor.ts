import { DagDefinitionError } from '../../core/errors';
import type { TaskContext } from '../task-context';
import { BaseSensorOperator, PokeResult, SensorOptions } from './base-sensor-operator';

export interface FunctionSensorOptions extends SensorOptions {
  /** Returns true once the awaited condition holds. */
  fn: (ctx: TaskContext) => PokeResult | Promise<PokeResult>;
}

/** A sensor whose condition is a function (Airflow's PythonSensor). */
export class FunctionSensor extends BaseSensorOperator {
  readonly fn: FunctionSensorOptions['fn'];

  constructor(options: FunctionSensorOptions) {
    super(options, ['fn']);
    const { fn } = this.mergedOptions as Partial<FunctionSensorOptions>;
    if (typeof fn !== 'function') throw new DagDefinitionError(`${this.where}: option 'fn' must be a function`);
    this.fn = fn;
  }

  poke(ctx: TaskContext): PokeResult | Promise<PokeResult> {
    return this.fn(ctx);
  }
}
