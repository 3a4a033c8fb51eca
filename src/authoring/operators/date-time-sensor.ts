import { DagDefinitionError } from '../../core/errors';
import { TaskFailedNoRetry } from '../../core/task-signals';
import type { TaskContext } from '../task-context';
import { BaseSensorOperator, SensorOptions } from './base-sensor-operator';

export interface DateTimeSensorOptions extends SensorOptions {
  /** The moment to wait for: a Date or an ISO-8601 string; templated (e.g. `{{ data_interval_end }}`). */
  targetTime: Date | string;
}

/** Waits until a point in time (Airflow's DateTimeSensor). */
export class DateTimeSensor extends BaseSensorOperator {
  override readonly templateFields: readonly string[] = ['targetTime'];
  readonly targetTime: string;

  constructor(options: DateTimeSensorOptions) {
    super(options, ['targetTime']);
    const { targetTime } = this.mergedOptions as Partial<DateTimeSensorOptions>;
    if (targetTime instanceof Date) {
      if (Number.isNaN(targetTime.getTime()))
        throw new DagDefinitionError(`${this.where}: option 'targetTime' is an invalid Date`);
      this.targetTime = targetTime.toISOString();
    } else if (typeof targetTime === 'string' && targetTime !== '') {
      this.targetTime = targetTime;
    } else {
      throw new DagDefinitionError(`${this.where}: option 'targetTime' must be a Date or an ISO-8601 string`);
    }
  }

  /** The rendered target as a Date; a value that is no date fails the task without retry. */
  targetDate(): Date {
    const value = this.targetTime as unknown;
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime()))
      throw new TaskFailedNoRetry(`targetTime ${JSON.stringify(String(value))} is not a date`);
    return date;
  }

  poke(ctx: TaskContext): boolean {
    const target = this.targetDate();
    ctx.log.info(`Checking if the time (${new Date(this.now()).toISOString()}) is after ${target.toISOString()}`);
    return this.now() > target.getTime();
  }
}
