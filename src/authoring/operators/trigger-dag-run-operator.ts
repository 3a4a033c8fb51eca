import type { Duration } from '../../core/duration';
import { parseDuration } from '../../core/duration';
import { DagDefinitionError, errorMessage } from '../../core/errors';
import { TaskFailedNoRetry, TaskRescheduled } from '../../core/task-signals';
import { BaseOperator } from '../base-operator';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';
import { checkStates, overlap } from './cross-dag-states';

export interface TriggerDagRunOperatorOptions extends TaskOptions {
  /** The DAG to run; templated. */
  triggerDagId: string;
  /** The new run's id; templated (default `manual__<logical date>`). */
  triggerRunId?: string;
  /** The new run's conf; templated (strings inside it are rendered). */
  conf?: Record<string, unknown>;
  /** The new run's logical date: a Date or ISO-8601 string, templated (default: now). */
  logicalDate?: Date | string;
  /** When the run already exists, clear it so it runs again instead of failing (default false). */
  resetDagRun?: boolean;
  /**
   * Wait for the run to finish (default false). The wait holds no worker or pool slot: the task
   * is rescheduled every `pokeInterval`, like a sensor in reschedule mode.
   */
  waitForCompletion?: boolean;
  /** Run states that end the wait with success (default ['success']). */
  allowedStates?: string[];
  /** Run states that end the wait with failure (default ['failed']). */
  failedStates?: string[];
  /** Time between looks at the triggered run (default 60 s). */
  pokeInterval?: Duration;
}

const OWN_OPTION_KEYS = [
  'triggerDagId',
  'triggerRunId',
  'conf',
  'logicalDate',
  'resetDagRun',
  'waitForCompletion',
  'allowedStates',
  'failedStates',
  'pokeInterval',
];

/**
 * Creates a run of another DAG (Airflow's TriggerDagRunOperator), through the same path as
 * `dagctl dags trigger`. Pushes the new run's id and logical date as the XComs `trigger_run_id`
 * and `trigger_logical_date`.
 */
export class TriggerDagRunOperator extends BaseOperator {
  override readonly templateFields: readonly string[] = ['triggerDagId', 'triggerRunId', 'conf', 'logicalDate'];
  readonly triggerDagId: string;
  readonly triggerRunId: string | null;
  readonly conf: Record<string, unknown>;
  readonly logicalDate: string | null;
  readonly resetDagRun: boolean;
  readonly waitForCompletion: boolean;
  readonly allowedStates: string[];
  readonly failedStates: string[];
  readonly pokeIntervalMs: number;

  constructor(options: TriggerDagRunOperatorOptions) {
    super(options, OWN_OPTION_KEYS);
    const o = this.mergedOptions as Partial<TriggerDagRunOperatorOptions>;
    if (typeof o.triggerDagId !== 'string' || o.triggerDagId === '')
      throw new DagDefinitionError(`${this.where}: option 'triggerDagId' must be a non-empty string`);
    this.triggerDagId = o.triggerDagId;
    if (o.triggerRunId !== undefined && (typeof o.triggerRunId !== 'string' || o.triggerRunId === ''))
      throw new DagDefinitionError(`${this.where}: option 'triggerRunId' must be a non-empty string`);
    this.triggerRunId = o.triggerRunId ?? null;
    if (o.conf !== undefined && (typeof o.conf !== 'object' || o.conf === null || Array.isArray(o.conf)))
      throw new DagDefinitionError(`${this.where}: option 'conf' must be an object`);
    this.conf = o.conf ?? {};
    if (o.logicalDate instanceof Date) {
      if (Number.isNaN(o.logicalDate.getTime()))
        throw new DagDefinitionError(`${this.where}: option 'logicalDate' is an invalid Date`);
      this.logicalDate = o.logicalDate.toISOString();
    } else if (o.logicalDate === undefined || typeof o.logicalDate === 'string') {
      this.logicalDate = o.logicalDate ?? null;
    } else {
      throw new DagDefinitionError(`${this.where}: option 'logicalDate' must be a Date or an ISO-8601 string`);
    }
    for (const key of ['resetDagRun', 'waitForCompletion'] as const)
      if (o[key] !== undefined && typeof o[key] !== 'boolean')
        throw new DagDefinitionError(`${this.where}: option '${key}' must be true or false`);
    this.resetDagRun = o.resetDagRun ?? false;
    this.waitForCompletion = o.waitForCompletion ?? false;
    this.allowedStates = this.states('allowedStates', o.allowedStates ?? ['success']);
    this.failedStates = this.states('failedStates', o.failedStates ?? ['failed']);
    const both = overlap(this.allowedStates, this.failedStates);
    if (both.length)
      throw new DagDefinitionError(`${this.where}: ${both.join(', ')} cannot be both an allowed and a failed state`);
    try {
      this.pokeIntervalMs = parseDuration(o.pokeInterval ?? '60s', 'pokeInterval');
    } catch (err) {
      throw new DagDefinitionError(`${this.where}: ${errorMessage(err)}`);
    }
  }

  async execute(ctx: TaskContext): Promise<unknown> {
    // A try that rescheduled itself comes back with firstRescheduleDate set: it triggered already.
    const waiting = this.waitForCompletion && ctx.firstRescheduleDate;
    const run = waiting ? await this.triggeredRun(ctx) : await this.trigger(ctx);
    ctx.xcomPush('trigger_run_id', run.runId);
    ctx.xcomPush('trigger_logical_date', run.logicalDate);
    if (!this.waitForCompletion) return undefined;
    if (waiting) {
      if (this.failedStates.includes(run.state))
        throw new Error(`${this.triggerDagId} run '${run.runId}' failed with state ${run.state}`);
      if (this.allowedStates.includes(run.state)) {
        ctx.log.info(`${this.triggerDagId} run '${run.runId}' finished with allowed state ${run.state}`);
        return undefined;
      }
    }
    ctx.log.info(
      `Waiting for ${this.triggerDagId} run '${run.runId}' (state ${run.state}); ` +
        `looking again in ${this.pokeIntervalMs} ms`,
    );
    throw new TaskRescheduled(
      new Date(Date.now() + this.pokeIntervalMs),
      `waiting for ${this.triggerDagId} run '${run.runId}'`,
    );
  }

  private async trigger(ctx: TaskContext): Promise<{ runId: string; logicalDate: string; state: string }> {
    const logicalDate = this.renderedLogicalDate();
    const triggered = await ctx.triggerDagRun({
      dagId: this.triggerDagId,
      runId: this.triggerRunId,
      logicalDate,
      conf: this.conf,
      resetDagRun: this.resetDagRun,
    });
    ctx.log.info(
      `${triggered.created ? 'Triggered' : 'Cleared (resetDagRun)'} ${this.triggerDagId} run '${triggered.runId}' ` +
        `at logical date ${triggered.logicalDate}`,
    );
    return { ...triggered, state: 'queued' };
  }

  /** The run an earlier look of this task instance triggered. */
  private async triggeredRun(ctx: TaskContext): Promise<{ runId: string; logicalDate: string; state: string }> {
    const run = await ctx.externalRun({
      dagId: this.triggerDagId,
      runId: this.triggerRunId,
      triggeredByTask: this.triggerRunId ? null : `${ctx.dagId}/${ctx.runId}/${ctx.taskId}`,
    });
    if (!run) throw new TaskFailedNoRetry(`the ${this.triggerDagId} run this task triggered is gone`);
    return run;
  }

  private renderedLogicalDate(): string | null {
    const value = this.logicalDate as unknown;
    if (value === null || value === undefined || value === '') return null;
    const date = value instanceof Date ? value : new Date(typeof value === 'string' ? value : NaN);
    if (Number.isNaN(date.getTime())) throw new TaskFailedNoRetry(`logicalDate ${JSON.stringify(value)} is not a date`);
    return date.toISOString();
  }

  private states(option: string, value: unknown): string[] {
    const checked = checkStates(option, value, false);
    if (typeof checked === 'string') throw new DagDefinitionError(`${this.where}: ${checked}`);
    return checked;
  }
}
