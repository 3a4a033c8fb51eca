import type { RequestHandler } from 'express';
import { Registry } from 'prom-client';
import { processMetricsRegistry } from './process-metrics';

/** GET /metrics: in-process metrics plus the DB-backed ones, in Prometheus text format. */
export function metricsHandler(appRegistry: Registry): RequestHandler {
  return async (_req, res) => {
    const merged = Registry.merge([processMetricsRegistry, appRegistry]);
    res.setHeader('Content-Type', merged.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await merged.metrics());
  };
}
