import type { LoadedConfig } from '../config/load-config';

/** The scheduler loop's settings, taken from the compiled config (durations in ms); tests override some. */
export interface SchedulerOptions {
  parallelism: number;
  idleSleepMs: number;
  maxDagrunsPerLoop: number;
  maxTisPerQuery: number;
  taskQueuedTimeoutMs: number;
  /** `scheduler.zombie_threshold`: how long a gone scheduler's running tries may stay silent before they fail. */
  zombieThresholdMs: number;
  /** `scheduler.max_platform_retries`: tries lost to a dead scheduler re-run free of the task's retries. */
  maxPlatformRetries: number;
  heartbeatIntervalMs: number;
  /** A scheduler whose heartbeat is older than this is gone (its queued tries are given back at once). */
  schedulerStaleAfterMs: number;
  /** How often due DAG runs are looked for when nothing else wakes the loop. */
  runCreationIntervalMs: number;
  /** `scheduler.late_threshold`: a scheduled run starting this long after its interval ended is late. */
  lateThresholdMs: number;
}

export function resolveSchedulerOptions(config: LoadedConfig): SchedulerOptions {
  const { scheduler } = config;
  return {
    parallelism: config.core.parallelism,
    idleSleepMs: scheduler.idle_sleep,
    maxDagrunsPerLoop: scheduler.max_dagruns_per_loop,
    maxTisPerQuery: scheduler.max_tis_per_query,
    taskQueuedTimeoutMs: scheduler.task_queued_timeout,
    zombieThresholdMs: scheduler.zombie_threshold,
    maxPlatformRetries: scheduler.max_platform_retries,
    heartbeatIntervalMs: scheduler.heartbeat_interval,
    schedulerStaleAfterMs: Math.max(scheduler.heartbeat_interval * 6, 30_000),
    runCreationIntervalMs: Math.min(scheduler.idle_sleep, 1000),
    lateThresholdMs: scheduler.late_threshold,
  };
}
