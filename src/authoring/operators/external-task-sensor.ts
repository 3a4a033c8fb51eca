import type { Duration } from '../../core/duration';
import { parseDuration } from '../../core/duration';
import { DagDefinitionError, errorMessage } from '../../core/errors';
import { TaskSkipped } from '../../core/task-signals';
import type { TaskContext } from '../task-context';
import { BaseSensorOperator, SensorOptions } from './base-sensor-operator';
import { checkStates, overlap } from './cross-dag-states';

export interface ExternalTaskSensorOptions extends SensorOptions {
  /** The DAG to wait for; templated. */
  externalDagId: string;
  /** One task of it to wait for; templated. Neither this nor externalTaskIds: the whole run. */
  externalTaskId?: string;
  /** Several tasks of it to wait for; templated. */
  externalTaskIds?: string[];
  /** Wait for the run this long before this run's logical date (ms, or a string like '1h'). */
  executionDelta?: Duration;
  /** Or: the logical date(s) of the runs to wait for, from this run's logical date. */
  executionDateFn?: (logicalDate: Date, ctx: TaskContext) => Date | Date[];
  /** States that count as done (default ['success']): task states, or run states for a whole run. */
  allowedStates?: string[];
  /** States that fail this sensor at once (default none). */
  failedStates?: string[];
  /** States that skip this sensor at once (default none). */
  skippedStates?: string[];
}

/**
 * Waits for tasks (or the whole run) of another DAG at the same logical date, or at one shifted
 * by `executionDelta` / `executionDateFn` (Airflow's ExternalTaskSensor). Done when every one of
 * them is in an allowed state; fails when any is in a failed state (skips with softFail), skips
 * when any is in a skipped state.
 */
export class ExternalTaskSensor extends BaseSensorOperator {
  override readonly templateFields: readonly string[] = ['externalDagId', 'externalTaskIds'];
  readonly externalDagId: string;
  /** null: the whole run. */
  readonly externalTaskIds: string[] | null;
  readonly executionDeltaMs: number | null;
  readonly executionDateFn: ExternalTaskSensorOptions['executionDateFn'] | null;
  readonly allowedStates: string[];
  readonly failedStates: string[];
  readonly skippedStates: string[];

  constructor(options: ExternalTaskSensorOptions) {
    const keys = ['externalDagId', 'externalTaskId', 'externalTaskIds', 'executionDelta', 'executionDateFn'];
    super(options, [...keys, 'allowedStates', 'failedStates', 'skippedStates']);
    const o = this.mergedOptions as Partial<ExternalTaskSensorOptions>;
    if (typeof o.externalDagId !== 'string' || o.externalDagId === '')
      throw new DagDefinitionError(`${this.where}: option 'externalDagId' must be a non-empty string`);
    this.externalDagId = o.externalDagId;
    if (o.externalTaskId !== undefined && o.externalTaskIds !== undefined)
      throw new DagDefinitionError(`${this.where}: give 'externalTaskId' or 'externalTaskIds', not both`);
    const taskIds = o.externalTaskId !== undefined ? [o.externalTaskId] : (o.externalTaskIds ?? null);
    if (taskIds && (!taskIds.length || taskIds.some((id) => typeof id !== 'string' || id === '')))
      throw new DagDefinitionError(`${this.where}: external task ids must be non-empty strings`);
    this.externalTaskIds = taskIds;
    if (o.executionDelta !== undefined && o.executionDateFn !== undefined)
      throw new DagDefinitionError(`${this.where}: give 'executionDelta' or 'executionDateFn', not both`);
    if (o.executionDateFn !== undefined && typeof o.executionDateFn !== 'function')
      throw new DagDefinitionError(`${this.where}: option 'executionDateFn' must be a function`);
    this.executionDateFn = o.executionDateFn ?? null;
    try {
      this.executionDeltaMs = o.executionDelta === undefined ? null : parseDuration(o.executionDelta, 'executionDelta');
    } catch (err) {
      throw new DagDefinitionError(`${this.where}: ${errorMessage(err)}`);
    }
    const ofTasks = taskIds !== null;
    this.allowedStates = this.states('allowedStates', o.allowedStates ?? ['success'], ofTasks);
    this.failedStates = this.states('failedStates', o.failedStates ?? [], ofTasks);
    this.skippedStates = this.states('skippedStates', o.skippedStates ?? [], ofTasks);
    const both = overlap(this.allowedStates, [...this.failedStates, ...this.skippedStates]);
    if (both.length)
      throw new DagDefinitionError(
        `${this.where}: ${both.join(', ')} cannot be both an allowed state and a failed or skipped one`,
      );
  }

  /** The logical dates of the runs waited for. */
  targetDates(ctx: TaskContext): Date[] {
    if (this.executionDateFn) {
      const dates = this.executionDateFn(ctx.logicalDate, ctx);
      const list = Array.isArray(dates) ? dates : [dates];
      for (const date of list)
        if (!(date instanceof Date) || Number.isNaN(date.getTime()))
          throw new Error(`executionDateFn returned ${String(date)}, not a Date`);
      return list;
    }
    return [new Date(ctx.logicalDate.getTime() - (this.executionDeltaMs ?? 0))];
  }

  async poke(ctx: TaskContext): Promise<boolean> {
    const what = this.externalTaskIds
      ? `task(s) ${this.externalTaskIds.join(', ')} of DAG '${this.externalDagId}'`
      : `DAG '${this.externalDagId}'`;
    let allDone = true;
    for (const date of this.targetDates(ctx)) {
      ctx.log.info(`Poking for ${what} at logical date ${date.toISOString()}`);
      const run = await ctx.externalRun({
        dagId: this.externalDagId,
        logicalDate: date.toISOString(),
        taskIds: this.externalTaskIds,
      });
      // Airflow counts states over every run and task: any failed fails, any skipped skips.
      const states = !run
        ? [null]
        : this.externalTaskIds
          ? this.externalTaskIds.flatMap((id) => (run.taskStates[id]?.length ? run.taskStates[id] : [null]))
          : [run.state];
      if (states.some((s) => s !== null && this.failedStates.includes(s))) {
        const failed = this.failedStates.join(', ');
        const message = `The external ${what} at ${date.toISOString()} reached a failed state (${failed})`;
        if (this.softFail) throw new TaskSkipped(message);
        throw new Error(message);
      }
      if (states.some((s) => s !== null && this.skippedStates.includes(s)))
        throw new TaskSkipped(`The external ${what} at ${date.toISOString()} reached a skipped state`);
      if (!states.every((s) => s !== null && this.allowedStates.includes(s))) allDone = false;
    }
    return allDone;
  }

  private states(option: string, value: unknown, ofTasks: boolean): string[] {
    const checked = checkStates(option, value, ofTasks);
    if (typeof checked === 'string') throw new DagDefinitionError(`${this.where}: ${checked}`);
    return checked;
  }
}
