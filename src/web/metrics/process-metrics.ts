import { Histogram, Registry } from 'prom-client';

/**
 * Metrics recorded in-process by the scheduler and the DAG processor. When they run in the same
 * process as the web server (`dagctl standalone`), /metrics shows them; a scheduler in another
 * process records into its own copy, which nobody scrapes.
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
