import type { Duration } from '../../core/duration';
import { parseDuration } from '../../core/duration';
import { DagDefinitionError, errorMessage } from '../../core/errors';
import type { TaskContext } from '../task-context';
import { BaseSensorOperator, SensorOptions } from './base-sensor-operator';

export interface TimeDeltaSensorOptions extends SensorOptions {
  /** How long after the run's data interval end to wait (ms, or a string like '1h'). */
  delta: Duration;
}

/** Waits until `delta` after the run's data interval end (Airflow's TimeDeltaSensor). */
export class TimeDeltaSensor extends BaseSensorOperator {
  readonly deltaMs: number;

  constructor(options: TimeDeltaSensorOptions) {
    super(options, ['delta']);
    const { delta } = this.mergedOptions as Partial<TimeDeltaSensorOptions>;
    if (delta === undefined) throw new DagDefinitionError(`${this.where}: option 'delta' is required`);
    try {
      this.deltaMs = parseDuration(delta, 'delta');
    } catch (err) {
      throw new DagDefinitionError(`${this.where}: ${errorMessage(err)}`);
    }
  }

  /** The moment the sensor waits for: data interval end (logical date when there is none) + delta. */
  targetTime(ctx: Pick<TaskContext, 'dataIntervalEnd' | 'logicalDate'>): Date {
    return new Date((ctx.dataIntervalEnd ?? ctx.logicalDate).getTime() + this.deltaMs);
  }

  poke(ctx: TaskContext): boolean {
    const target = this.targetTime(ctx);
    ctx.log.info(`Checking if the time (${new Date(this.now()).toISOString()}) is after ${target.toISOString()}`);
    return this.now() > target.getTime();
  }
}
