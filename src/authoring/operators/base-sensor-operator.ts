import { Duration, parseDuration } from '../../core/duration';
import { DagDefinitionError, errorMessage } from '../../core/errors';
import { TaskFailedNoRetry, TaskRescheduled, TaskSkipped } from '../../core/task-signals';
import { BaseOperator } from '../base-operator';
import type { TaskContext } from '../task-context';
import { exponentialBackoffMs, pokeNumberFromElapsed } from './sensor-backoff';
import type { TaskOptions } from '../task-options';

export type SensorMode = 'poke' | 'reschedule';

/** A poke may also hand over a value, which becomes the sensor's XCom (Airflow's PokeReturnValue). */
export type PokeResult = boolean | { done: boolean; xcomValue?: unknown };

export interface SensorOptions extends TaskOptions {
  /** Time between pokes (default 60s). */
  pokeInterval?: Duration;
  /** Give up after this long (default 7 days); counts from the first poke in reschedule mode. */
  timeout?: Duration;
  /** 'poke' keeps the try running between pokes; 'reschedule' frees the slot (default 'poke'). */
  mode?: SensorMode;
  /** On timeout, mark the task skipped instead of failed. */
  softFail?: boolean;
  /** Wait longer after each poke (Airflow's formula: doubling, with jitter; default false). */
  exponentialBackoff?: boolean;
  /** With exponentialBackoff: the longest one wait may be. */
  maxWait?: Duration;
}

export const SENSOR_OPTION_KEYS: readonly string[] = [
  'pokeInterval',
  'timeout',
  'mode',
  'softFail',
  'exponentialBackoff',
  'maxWait',
];

/** Waits until `poke(ctx)` returns true. A timeout fails without retry (or skips with softFail). */
export abstract class BaseSensorOperator extends BaseOperator {
  readonly isSensor = true;
  readonly pokeIntervalMs: number;
  readonly timeoutMs: number;
  readonly mode: SensorMode;
  readonly softFail: boolean;
  readonly exponentialBackoff: boolean;
  readonly maxWaitMs: number | null;

  protected constructor(options: SensorOptions, ownOptionKeys: readonly string[] = []) {
    super(options, [...SENSOR_OPTION_KEYS, ...ownOptionKeys]);
    const {
      pokeInterval = '60s',
      timeout = '7d',
      mode = 'poke',
      softFail = false,
      exponentialBackoff = false,
      maxWait,
    } = this.mergedOptions as Partial<SensorOptions>;
    this.pokeIntervalMs = this.duration('pokeInterval', pokeInterval);
    this.timeoutMs = this.duration('timeout', timeout);
    if (mode !== 'poke' && mode !== 'reschedule') {
      throw new DagDefinitionError(
        `${this.where}: option 'mode' must be 'poke' or 'reschedule', got ${JSON.stringify(mode)}`,
      );
    }
    if (typeof softFail !== 'boolean')
      throw new DagDefinitionError(`${this.where}: option 'softFail' must be true or false`);
    if (typeof exponentialBackoff !== 'boolean')
      throw new DagDefinitionError(`${this.where}: option 'exponentialBackoff' must be true or false`);
    this.mode = mode;
    this.softFail = softFail;
    this.exponentialBackoff = exponentialBackoff;
    this.maxWaitMs = maxWait === undefined ? null : this.duration('maxWait', maxWait);
  }

  /** The current time; sensors that compare with it (TimeDelta, DateTime) read it here. */
  protected now(): number {
    return Date.now();
  }

  /** How long to wait before poke number `pokeNumber + 1`. */
  nextPokeIntervalMs(ctx: TaskContext, pokeNumber: number, startedAt: number, now: number): number {
    if (!this.exponentialBackoff) return this.pokeIntervalMs;
    return exponentialBackoffMs({
      dagId: ctx.dagId,
      taskId: ctx.taskId,
      pokeIntervalMs: this.pokeIntervalMs,
      pokeNumber,
      startedAt: new Date(startedAt),
      elapsedMs: now - startedAt,
      timeoutMs: this.timeoutMs,
      maxWaitMs: this.maxWaitMs,
    });
  }

  /** True (or { done: true }) when the condition holds. */
  abstract poke(ctx: TaskContext): PokeResult | Promise<PokeResult>;

  async execute(ctx: TaskContext): Promise<unknown> {
    const resumedFrom = this.mode === 'reschedule' ? (ctx.firstRescheduleDate ?? null) : null;
    const firstPoke = resumedFrom ? resumedFrom.getTime() : this.now();
    const resumed = resumedFrom !== null;
    let pokeNumber = resumed ? pokeNumberFromElapsed(this.now() - firstPoke, this.pokeIntervalMs) : 1;
    for (; ; pokeNumber++) {
      const result = await this.poke(ctx);
      if (typeof result === 'object' && result !== null ? result.done : result) {
        return typeof result === 'object' ? result.xcomValue : undefined;
      }
      const now = this.now();
      const elapsed = now - firstPoke;
      if (elapsed >= this.timeoutMs) this.timedOut(elapsed);
      const waitMs = this.nextPokeIntervalMs(ctx, pokeNumber, firstPoke, now);
      if (this.mode === 'reschedule') throw new TaskRescheduled(new Date(now + waitMs));
      ctx.log.info(`Sensor condition not met; poking again in ${waitMs} ms`);
      await sleep(Math.min(waitMs, this.timeoutMs - elapsed), ctx.signal);
    }
  }

  private timedOut(elapsedMs: number): never {
    const reason =
      `Sensor has timed out: waited ${Math.round(elapsedMs / 1000)} s, ` +
      `timeout is ${Math.round(this.timeoutMs / 1000)} s`;
    if (this.softFail) throw new TaskSkipped(reason);
    throw new TaskFailedNoRetry(reason);
  }

  private duration(key: string, value: Duration): number {
    try {
      return parseDuration(value, key);
    } catch (err) {
      throw new DagDefinitionError(`${this.where}: ${errorMessage(err)}`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error(`Sensor stopped: ${errorMessage(signal.reason)}`));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error(`Sensor stopped: ${errorMessage(signal.reason)}`));
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
