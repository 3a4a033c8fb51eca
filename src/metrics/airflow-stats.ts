import { Gauge } from 'prom-client';
import { processMetricsRegistry } from './process-metrics';
import { statsd } from './statsd-client';
import { WindowedSummary } from './windowed-summary';

/**
 * Airflow's own metric names, recorded where Airflow records them (scheduler, DAG processor) and
 * sent both ways Airflow users read them: StatsD with Airflow's dotted names (when
 * `metrics.statsd_on`), and Prometheus with the names the usual statsd-exporter mapping gives them
 * (published with the scheduler's heartbeat, served on /metrics). Airflow's counters are Prometheus
 * gauges here: promtool refuses a counter without `_total`, and the mapping's names have none.
 */

// statsd-exporter's default summary: quantiles over a 10-minute window (here exact, over at most
// a series' 512 latest observations in it).
const SUMMARY = { percentiles: [0.5, 0.9, 0.99], windowSeconds: 600, maxSamplesPerSeries: 512 };

const tiSuccesses = new Gauge({
  name: 'airflow_ti_successes',
  help: 'Task instance tries that succeeded (Airflow ti_successes), counted since the scheduler started',
  registers: [processMetricsRegistry],
});
const tiFailures = new Gauge({
  name: 'airflow_ti_failures',
  help: 'Task instance tries that failed (Airflow ti_failures), counted since the scheduler started',
  registers: [processMetricsRegistry],
});
const tiCreated = new Gauge({
  name: 'airflow_task_instance_created',
  help: 'Task instances created, by operator (Airflow task_instance_created-<operator>)',
  labelNames: ['task_class'],
  registers: [processMetricsRegistry],
});
const schedulerHeartbeat = new Gauge({
  name: 'airflow_scheduler_heartbeat',
  help: 'Scheduler heartbeats (Airflow scheduler_heartbeat), counted since the scheduler started',
  registers: [processMetricsRegistry],
});
const dagrunDuration = {
  success: new WindowedSummary({
    name: 'airflow_dagrun_duration_success',
    help: 'Seconds a successful DAG run took (Airflow dagrun.duration.success.<dag_id>)',
    labelNames: ['dag_id'],
    registers: [processMetricsRegistry],
    ...SUMMARY,
  }),
  failed: new WindowedSummary({
    name: 'airflow_dagrun_duration_failed',
    help: 'Seconds a failed DAG run took (Airflow dagrun.duration.failed.<dag_id>)',
    labelNames: ['dag_id'],
    registers: [processMetricsRegistry],
    ...SUMMARY,
  }),
};
// One series per (dag_id, task_id) that ended a try since the scheduler started: bounded by the
// tasks the DAGs define (never by runs, tries or map indexes). README's Metrics section says what it costs.
const taskDuration = new WindowedSummary({
  name: 'airflow_task_duration',
  help: 'Seconds a try of a task took, start to end, by DAG and task (Airflow dag.<dag_id>.<task_id>.duration)',
  labelNames: ['dag_id', 'task_id'],
  registers: [processMetricsRegistry],
  ...SUMMARY,
});
const totalParseTime = new Gauge({
  name: 'airflow_dag_processing_total_parse_time',
  help: 'Seconds the last pass over the dags folder took (Airflow dag_processing.total_parse_time)',
  registers: [processMetricsRegistry],
  aggregator: 'max',
});

/** A try whose end the scheduler applied: its task, the state it ended in, and how long it took. */
export interface TryEndedMetric {
  dagId: string;
  taskId: string;
  state: string;
  durationSeconds: number;
}

/**
 * A try ended as the scheduler applied it: `ti_successes` / `ti_failures`, and the timer
 * `dag.<dag_id>.<task_id>.duration` for every end — Airflow's timer wraps the try's execution and
 * is sent however it exits (success, failure, skip, reschedule).
 */
export function recordTryEnded({ dagId, taskId, state, durationSeconds }: TryEndedMetric): void {
  taskDuration.observe({ dag_id: dagId, task_id: taskId }, durationSeconds);
  statsd()?.timing(`dag.${dagId}.${taskId}.duration`, durationSeconds * 1000);
  if (state === 'success') {
    tiSuccesses.inc();
    statsd()?.increment('ti_successes');
  } else if (state === 'failed' || state === 'up_for_retry') {
    // Airflow counts every failed try, also one that will be retried.
    tiFailures.inc();
    statsd()?.increment('ti_failures');
  }
}

/** A DAG run reached success or failed: `dagrun.duration.<state>.<dag_id>`. */
export function recordDagRunEnded(dagId: string, state: 'success' | 'failed', durationSeconds: number): void {
  dagrunDuration[state].observe({ dag_id: dagId }, durationSeconds);
  statsd()?.timing(`dagrun.duration.${state}.${dagId}`, durationSeconds * 1000);
}

/** Task instances created for a DAG run, by operator: `task_instance_created-<Operator>`. */
export function recordTaskInstancesCreated(byOperator: ReadonlyMap<string, number>): void {
  for (const [operator, count] of byOperator) {
    tiCreated.inc({ task_class: operator }, count);
    statsd()?.increment(`task_instance_created-${operator}`, count);
  }
}

/** What the scheduler sees on each heartbeat. */
export interface SchedulerBeat {
  executorOpenSlots: number;
  executorQueuedTasks: number;
  executorRunningTasks: number;
  /** Per pool: open, queued and running slots. */
  pools: ReadonlyMap<string, { open: number; queued: number; running: number }>;
}

/**
 * One scheduler heartbeat: `scheduler_heartbeat` and the executor and pool gauges. The gauges
 * go to StatsD only: /metrics reads them from the database when it is scraped.
 */
export function recordSchedulerHeartbeat(beat: SchedulerBeat): void {
  schedulerHeartbeat.inc();
  const client = statsd();
  if (!client) return;
  client.increment('scheduler_heartbeat');
  client.gauge('executor.open_slots', beat.executorOpenSlots);
  client.gauge('executor.queued_tasks', beat.executorQueuedTasks);
  client.gauge('executor.running_tasks', beat.executorRunningTasks);
  for (const [pool, slots] of beat.pools) {
    client.gauge(`pool.open_slots.${pool}`, slots.open);
    client.gauge(`pool.queued_slots.${pool}`, slots.queued);
    client.gauge(`pool.running_slots.${pool}`, slots.running);
  }
}

/** One pass of the DAG processor over the dags folder. */
export function recordDagProcessingPass(pass: { seconds: number; dagbagSize: number; importErrors: number }): void {
  totalParseTime.set(pass.seconds);
  const client = statsd();
  if (!client) return;
  client.gauge('dag_processing.total_parse_time', pass.seconds);
  client.gauge('dagbag_size', pass.dagbagSize);
  client.gauge('dag_processing.import_errors', pass.importErrors);
}
