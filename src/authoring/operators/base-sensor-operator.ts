import { Duration, parseDuration } from '../../core/duration';
import { DagDefinitionError, errorMessage } from '../../core/errors';
import { TaskFailedNoRetry, TaskRescheduled, TaskSkipped } from '../../core/task-signals';
import { BaseOperator } from '../base-operator';
import type { TaskContext } from '../task-context';
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
}

export const SENSOR_OPTION_KEYS: readonly string[] = ['pokeInterval', 'timeout', 'mode', 'softFail'];

/** Waits until `poke(ctx)` returns true. A timeout fails without retry (or skips with softFail). */
export abstract class BaseSensorOperator extends BaseOperator {
  readonly isSensor = true;
  readonly pokeIntervalMs: number;
  readonly timeoutMs: number;
  readonly mode: SensorMode;
  readonly softFail: boolean;

  protected constructor(options: SensorOptions, ownOptionKeys: readonly string[] = []) {
    super(options, [...SENSOR_OPTION_KEYS, ...ownOptionKeys]);
    const {
      pokeInterval = '60s',
      timeout = '7d',
      mode = 'poke',
      softFail = false,
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
    this.mode = mode;
    this.softFail = softFail;
  }

  /** True (or { done: true }) when the condition holds. */
  abstract poke(ctx: TaskContext): PokeResult | Promise<PokeResult>;

  async execute(ctx: TaskContext): Promise<unknown> {
    const firstPoke =
      this.mode === 'reschedule' && ctx.firstRescheduleDate ? ctx.firstRescheduleDate.getTime() : Date.now();
    for (;;) {
      const result = await this.poke(ctx);
      if (typeof result === 'object' && result !== null ? result.done : result) {
        return typeof result === 'object' ? result.xcomValue : undefined;
      }
      const now = Date.now();
      const elapsed = now - firstPoke;
      if (elapsed >= this.timeoutMs) this.timedOut(elapsed);
      if (this.mode === 'reschedule') throw new TaskRescheduled(new Date(now + this.pokeIntervalMs));
      ctx.log.info(`Sensor condition not met; poking again in ${this.pokeIntervalMs} ms`);
      await sleep(Math.min(this.pokeIntervalMs, this.timeoutMs - elapsed), ctx.signal);
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
