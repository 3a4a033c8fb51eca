import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../app/app-context';
import { execSql } from '../db/sql';
import { TaskState } from '../core/states';
import { registerAirflowDbMetrics } from './airflow-db-metrics';

const TASK_STATES = [...Object.values(TaskState), 'none'];
const DAG_RUN_STATES = ['queued', 'running', 'success', 'failed'];
/** Finished task instances older than this are not replayed into the duration histogram at start. */
const DURATION_LOOKBACK_MS = 60 * 60_000;
const DURATION_BATCH = 5000;

/**
 * Metrics read from the metadata DB when /metrics is scraped: a few cheap grouped queries, so
 * they are right whichever process (scheduler, worker) changed the rows.
 */
export function createDbMetricsRegistry(ctx: AppContext): Registry {
  const registry = new Registry();
  const db = ctx.dataSource;

  new Gauge({
    name: 'dagctl_task_instances',
    help: 'Task instances by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { records } = await execSql<{ state: string | null; n: number | string }>(
        db,
        'SELECT state, COUNT(*) AS n FROM task_instance GROUP BY state',
      );
      const counts = new Map(records.map((row) => [row.state ?? 'none', Number(row.n)]));
      for (const state of TASK_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });

  // prom-client collects metrics concurrently: the three gauges below share one query per scrape.
  let activeQuery: { at: number; counts: Promise<{ queued: number; running: number }> } | null = null;
  const activeCounts = (): Promise<{ queued: number; running: number }> => {
    if (!activeQuery || Date.now() - activeQuery.at > 1000) {
      activeQuery = {
        at: Date.now(),
        counts: execSql<{ state: string; n: number | string }>(
          db,
          "SELECT state, COUNT(*) AS n FROM task_instance WHERE state IN ('queued', 'running') GROUP BY state",
        ).then(({ records }) => ({
          queued: Number(records.find((r) => r.state === 'queued')?.n ?? 0),
          running: Number(records.find((r) => r.state === 'running')?.n ?? 0),
        })),
      };
    }
    return activeQuery.counts;
  };
  new Gauge({
    name: 'dagctl_queued_tasks',
    help: 'Task instances queued for an executor',
    registers: [registry],
    async collect() {
      this.set((await activeCounts()).queued);
    },
  });
  new Gauge({
    name: 'dagctl_running_tasks',
    help: 'Task instances running',
    registers: [registry],
    async collect() {
      this.set((await activeCounts()).running);
    },
  });
  new Gauge({
    name: 'dagctl_executor_open_slots',
    help: 'core.parallelism minus queued and running task instances',
    registers: [registry],
    async collect() {
      const { queued, running } = await activeCounts();
      this.set(Math.max(0, ctx.config.core.parallelism - queued - running));
    },
  });

  new Gauge({
    name: 'dagctl_dag_runs',
    help: 'DAG runs by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { records } = await execSql<{ state: string; n: number | string }>(
        db,
        'SELECT state, COUNT(*) AS n FROM dag_run GROUP BY state',
      );
      const counts = new Map(records.map((row) => [row.state, Number(row.n)]));
      for (const state of DAG_RUN_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });

  new Counter({
    name: 'dagctl_deadline_missed_total',
    help: 'DAG runs that missed their deadline (deadline alerts), by DAG',
    labelNames: ['dag_id'],
    registers: [registry],
    async collect() {
      this.reset();
      const { records } = await execSql<{ dag_id: string; n: number | string }>(
        db,
        'SELECT dag_id, COUNT(*) AS n FROM deadline WHERE missed_at IS NOT NULL GROUP BY dag_id',
      );
      for (const row of records) this.inc({ dag_id: row.dag_id }, Number(row.n));
    },
  });

  new Counter({
    name: 'dagctl_late_dag_runs_total',
    help: 'Scheduled DAG runs that started later than scheduler.late_threshold after their interval ended, by DAG',
    labelNames: ['dag_id'],
    registers: [registry],
    async collect() {
      this.reset();
      const { records } = await execSql<{ dag_id: string; n: number | string }>(
        db,
        'SELECT dag_id, COUNT(*) AS n FROM dag_run WHERE late_seconds IS NOT NULL GROUP BY dag_id',
      );
      for (const row of records) this.inc({ dag_id: row.dag_id }, Number(row.n));
    },
  });

  new Gauge({
    name: 'dagctl_import_errors',
    help: 'DAG files that failed to import',
    registers: [registry],
    async collect() {
      const { records } = await execSql<{ n: number | string }>(db, 'SELECT COUNT(*) AS n FROM import_error');
      this.set(Number(records[0]?.n ?? 0));
    },
  });

  new Gauge({
    name: 'dagctl_dags',
    help: 'Active DAGs by paused flag',
    labelNames: ['paused'],
    registers: [registry],
    async collect() {
      this.reset();
      const { records } = await execSql<{ is_paused: unknown; n: number | string }>(
        db,
        'SELECT is_paused, COUNT(*) AS n FROM dag WHERE is_active = ? GROUP BY is_paused',
        [true],
      );
      let paused = 0;
      let unpaused = 0;
      for (const row of records) {
        if (row.is_paused === true || row.is_paused === 1) paused += Number(row.n);
        else unpaused += Number(row.n);
      }
      this.set({ paused: 'true' }, paused);
      this.set({ paused: 'false' }, unpaused);
    },
  });

  new Gauge({
    name: 'dagctl_scheduler_heartbeat_age_seconds',
    help: 'Seconds since the latest heartbeat of a running scheduler (-1: none)',
    registers: [registry],
    async collect() {
      const { records } = await execSql<{ hb: string | null }>(
        db,
        "SELECT MAX(latest_heartbeat) AS hb FROM job WHERE job_type = 'SchedulerJob' AND state = 'running'",
      );
      const hb = records[0]?.hb;
      this.set(hb ? Math.max(0, (ctx.clock.now().getTime() - new Date(hb).getTime()) / 1000) : -1);
    },
  });

  // Task durations: each scrape adds the task instances that finished since the previous one.
  let watermark = new Date(ctx.clock.now().getTime() - DURATION_LOOKBACK_MS).toISOString();
  new Histogram({
    name: 'dagctl_task_duration_seconds',
    help: 'Duration of finished task instances (success or failed)',
    labelNames: ['state'],
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600],
    registers: [registry],
    async collect() {
      const { records } = await execSql<{ duration: number; end_date: string; state: string }>(
        db,
        `SELECT duration, end_date, state FROM task_instance
          WHERE end_date > ? AND duration IS NOT NULL AND state IN ('success', 'failed')
          ORDER BY end_date LIMIT ${DURATION_BATCH}`,
        [watermark],
      );
      for (const row of records) {
        this.observe({ state: row.state }, Number(row.duration));
        if (row.end_date > watermark) watermark = row.end_date;
      }
    },
  });

  registerAirflowDbMetrics(ctx, registry);
  return registry;
}
