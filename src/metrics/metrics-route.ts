import type { RequestHandler } from 'express';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { aggregateSchedulerMetrics, type MetricsJson } from './aggregate-scheduler-metrics';
import { nodeProcessRegistry } from './node-process-metrics';
import { processMetricsRegistry } from './process-metrics';
// Registers Airflow's scheduler metrics in processMetricsRegistry: /metrics lists their families
// even in a web server process that records none of them.
import './airflow-stats';

/** What every running scheduler published on its last heartbeat (see job.metrics). */
async function publishedSchedulerMetrics(ds: DataSource): Promise<MetricsJson[]> {
  const { records } = await execSql<{ metrics: string | null }>(
    ds,
    "SELECT metrics FROM job WHERE job_type = 'SchedulerJob' AND state = 'running' AND metrics IS NOT NULL",
  );
  const out: MetricsJson[] = [];
  for (const row of records) {
    try {
      out.push(JSON.parse(row.metrics!) as MetricsJson);
    } catch {
      // A half-written row is skipped; the next heartbeat replaces it.
    }
  }
  return out;
}

/**
 * GET /metrics: the DB-backed metrics, this process's Node metrics, plus the scheduler metrics —
 * this process's own (standalone) merged with those every running scheduler published — in
 * Prometheus text format.
 */
export function metricsHandler(appRegistry: Registry, ds: DataSource): RequestHandler {
  return async (_req, res) => {
    const own = (await processMetricsRegistry.getMetricsAsJSON()) as MetricsJson;
    const scheduler = aggregateSchedulerMetrics([own, ...(await publishedSchedulerMetrics(ds))]);
    const merged = Registry.merge([scheduler, appRegistry, nodeProcessRegistry()]);
    res.setHeader('Content-Type', merged.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await merged.metrics());
  };
}
