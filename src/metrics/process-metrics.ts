import { Gauge, Histogram, Registry } from 'prom-client';

/**
 * Metrics recorded in-process by the scheduler and the DAG processor. A scheduler publishes this
 * registry's JSON into its `job` row on every heartbeat, and /metrics on any web server adds up
 * the published values of all running schedulers (see metrics-route.ts).
 */
export const processMetricsRegistry = new Registry();

export const schedulerLoopDuration = new Histogram({
  name: 'dagctl_scheduler_loop_duration_seconds',
  help: 'Duration of one scheduler loop iteration',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processMetricsRegistry],
});

export const dagProcessingDuration = new Histogram({
  name: 'dagctl_dag_processing_duration_seconds',
  help: 'Time to parse one DAG file and store its DAGs',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [processMetricsRegistry],
});

/** For the scheduler loop: `observeSchedulerLoop(seconds)`. */
export function observeSchedulerLoop(seconds: number): void {
  schedulerLoopDuration.observe(seconds);
}

/** For the DAG processor: `observeDagProcessing(seconds)` per parsed file. */
export function observeDagProcessing(seconds: number): void {
  dagProcessingDuration.observe(seconds);
}

export const executorOpenSlots = new Gauge({
  name: 'dagctl_scheduler_executor_open_slots',
  help: "Slots the scheduler's executor has free, as the scheduler last reported",
  registers: [processMetricsRegistry],
});
