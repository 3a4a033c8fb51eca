import { createHash } from 'node:crypto';

export interface BackoffInput {
  dagId: string;
  taskId: string;
  /** The sensor's poke interval. */
  pokeIntervalMs: number;
  /** 1 for the first poke, 2 for the second, … */
  pokeNumber: number;
  /** When the sensor started waiting (part of the jitter's seed, as in Airflow). */
  startedAt: Date;
  /** How long it has waited so far, and how long it may wait in all. */
  elapsedMs: number;
  timeoutMs: number;
  /** Cap on one wait (`maxWait`); null: none. */
  maxWaitMs: number | null;
}

/**
 * The wait before the next poke with `exponentialBackoff`, by Airflow's formula
 * (BaseSensorOperator._get_next_poke_interval): at least `pokeInterval · 2^(n-2)` whole seconds
 * (1 s minimum), plus a jitter below that, taken from a SHA-1 of the DAG, task, start and poke
 * number so that sensors started together spread out; never past the timeout nor above `maxWait`.
 */
export function exponentialBackoffMs(input: BackoffInput): number {
  const pokeIntervalS = input.pokeIntervalMs / 1000;
  const minBackoff = Math.max(Math.trunc(pokeIntervalS * 2 ** (input.pokeNumber - 2)), 1);
  const seed = `${input.dagId}#${input.taskId}#${input.startedAt.toISOString()}#${input.pokeNumber}`;
  const runHash = BigInt(`0x${createHash('sha1').update(seed).digest('hex')}`);
  const withJitter = minBackoff + Number(runHash % BigInt(minBackoff));
  let intervalMs = Math.min(input.timeoutMs - input.elapsedMs, withJitter * 1000);
  if (input.maxWaitMs !== null) intervalMs = Math.min(input.maxWaitMs, intervalMs);
  return Math.max(0, intervalMs);
}

/**
 * Which poke this is for a sensor in reschedule mode, known only by how long it has waited since
 * its first reschedule: after n-1 backed-off waits of [p·2^(k-2), p·2^(k-1)) each, the elapsed
 * time E gives 2^(n-1) ≤ 2E/p + 1 < 2^n. (A reschedule frees the try, so no counter survives it.)
 */
export function pokeNumberFromElapsed(elapsedMs: number, pokeIntervalMs: number): number {
  if (elapsedMs <= 0 || pokeIntervalMs <= 0) return 1;
  const p = Math.max(pokeIntervalMs, 1000);
  return Math.floor(Math.log2((2 * elapsedMs) / p + 1)) + 1;
}
