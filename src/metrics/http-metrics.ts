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
    // The router sets req.route when a route matches, with req.baseUrl its mount path at that
    // moment; when the route's handler fails, the error reaches the app's handler after the
    // router has put baseUrl back to '' — so the mount path is taken as the route is set.
    let matched: { path?: string | RegExp } | undefined;
    let matchedBase = '';
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => matched,
      set: (route: { path?: string | RegExp } | undefined) => {
        matched = route;
        matchedBase = req.baseUrl;
      },
    });
    res.on('finish', () => {
      const routePath = matched?.path;
      const route = routePath ? `${matchedBase}${String(routePath)}` : 'unmatched';
      histogram.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    next();
  };
}
