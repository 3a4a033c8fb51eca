import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** Request durations by route pattern (never the raw URL: ids would explode the label set). */
export function httpMetricsMiddleware(registry: Registry): RequestHandler {
  const histogram = new Histogram({
    name: 'dagctl_http_request_duration_seconds',
    help: 'Web server request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const routePath = (req.route as { path?: string | RegExp } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${String(routePath)}` : 'unmatched';
      histogram.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    next();
  };
}
