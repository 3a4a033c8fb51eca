import { parseDuration } from '../core/duration';
import type { LoadedConfig } from '../config/load-config';

/** Scheduler settings resolved once at start-up (durations in ms). */
export interface SchedulerOptions {
  parallelism: number;
  idleSleepMs: number;
  maxDagrunsPerLoop: number;
  maxTisPerQuery: number;
  taskQueuedTimeoutMs: number;
  zombieThresholdMs: number;
  heartbeatIntervalMs: number;
  /** How often due DAG runs are looked for when nothing else wakes the loop. */
  runCreationIntervalMs: number;
  defaultMaxActiveTasksPerDag: number;
  defaultMaxActiveRunsPerDag: number;
}

export function resolveSchedulerOptions(config: LoadedConfig): SchedulerOptions {
  const idleSleepMs = parseDuration(config.scheduler.idle_sleep, 'scheduler.idle_sleep');
  return {
    parallelism: config.core.parallelism,
    idleSleepMs,
    maxDagrunsPerLoop: config.scheduler.max_dagruns_per_loop,
    maxTisPerQuery: config.scheduler.max_tis_per_query,
    taskQueuedTimeoutMs: parseDuration(config.scheduler.task_queued_timeout, 'scheduler.task_queued_timeout'),
    zombieThresholdMs: parseDuration(config.scheduler.zombie_threshold, 'scheduler.zombie_threshold'),
    heartbeatIntervalMs: parseDuration(config.scheduler.heartbeat_interval, 'scheduler.heartbeat_interval'),
    runCreationIntervalMs: Math.min(idleSleepMs, 1000),
    defaultMaxActiveTasksPerDag: config.core.max_active_tasks_per_dag,
    defaultMaxActiveRunsPerDag: config.core.max_active_runs_per_dag,
  };
}
