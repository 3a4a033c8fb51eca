import { Gauge, type Registry } from 'prom-client';
import type { AppContext } from '../app/app-context';
import { execSql } from '../db/sql';
import { readPoolSlots } from './pool-slots';

/**
 * Airflow's gauges under the names the usual statsd-exporter mapping gives them, read from the
 * metadata DB when /metrics is scraped (like the dagctl_* gauges beside them): right whichever
 * process changed the rows, and present before any scheduler ran.
 */
export function registerAirflowDbMetrics(ctx: AppContext, registry: Registry): void {
  const db = ctx.dataSource;

  // One pools query per scrape for the executor and pool gauges (prom-client collects concurrently).
  let poolsQuery: { at: number; slots: ReturnType<typeof readPoolSlots> } | null = null;
  const pools = (): ReturnType<typeof readPoolSlots> => {
    if (!poolsQuery || Date.now() - poolsQuery.at > 1000) poolsQuery = { at: Date.now(), slots: readPoolSlots(db) };
    return poolsQuery.slots;
  };
  const total = async (which: 'queued' | 'running'): Promise<number> => {
    const read = await pools();
    return which === 'queued' ? read.queuedTasks : read.runningTasks;
  };

  new Gauge({
    name: 'airflow_executor_queued_tasks',
    help: 'Task instances queued for an executor (Airflow executor.queued_tasks)',
    registers: [registry],
    async collect() {
      this.set(await total('queued'));
    },
  });
  new Gauge({
    name: 'airflow_executor_running_tasks',
    help: 'Task instances running (Airflow executor.running_tasks)',
    registers: [registry],
    async collect() {
      this.set(await total('running'));
    },
  });
  new Gauge({
    name: 'airflow_executor_open_slots',
    help: 'core.parallelism minus queued and running (Airflow executor.open_slots)',
    registers: [registry],
    async collect() {
      this.set(Math.max(0, ctx.config.core.parallelism - (await total('queued')) - (await total('running'))));
    },
  });
  for (const which of ['open', 'queued', 'running'] as const) {
    new Gauge({
      name: `airflow_pool_${which}_slots`,
      help: `${which[0].toUpperCase()}${which.slice(1)} slots of each pool (Airflow pool.${which}_slots.<pool>)`,
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [pool, slots] of (await pools()).pools) this.set({ pool }, slots[which]);
      },
    });
  }

  new Gauge({
    name: 'airflow_dagbag_size',
    help: 'Active DAGs (Airflow dagbag_size)',
    registers: [registry],
    async collect() {
      const { records } = await execSql<{ n: number | string }>(
        db,
        'SELECT COUNT(*) AS n FROM dag WHERE is_active = ?',
        [true],
      );
      this.set(Number(records[0]?.n ?? 0));
    },
  });
  new Gauge({
    name: 'airflow_dag_processing_import_errors',
    help: 'DAG files that failed to import (Airflow dag_processing.import_errors)',
    registers: [registry],
    async collect() {
      const { records } = await execSql<{ n: number | string }>(db, 'SELECT COUNT(*) AS n FROM import_error');
      this.set(Number(records[0]?.n ?? 0));
    },
  });
}
