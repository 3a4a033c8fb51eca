import type { Application, RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** Where the route the router matched is kept on a request, with the mount path at that moment. */
const MATCHED_ROUTE = Symbol('dagctl.matchedRoute');
const MATCHED_BASE = Symbol('dagctl.matchedBase');

interface MatchedRequest {
  baseUrl: string;
  [MATCHED_ROUTE]?: { path?: string | RegExp };
  [MATCHED_BASE]?: string;
}

/**
 * The router sets `req.route` when a route matches, with `req.baseUrl` its mount path at that
 * moment; when the route's handler fails, the error reaches the app's handler after the router
 * has put baseUrl back to '' — so the mount path is taken as the route is set. The accessor lives
 * once on the app's request prototype: defining it on each request (a fresh getter and setter per
 * object) turned every request object into a slow dictionary-mode object for the rest of its life.
 */
function recordMountPathOfMatchedRoute(app: Application): void {
  // express sets every request's prototype to `app.request` (missing from its type declarations).
  const requestPrototype = (app as unknown as { request: object }).request;
  Object.defineProperty(requestPrototype, 'route', {
    configurable: true,
    enumerable: true,
    get(this: MatchedRequest) {
      return this[MATCHED_ROUTE];
    },
    set(this: MatchedRequest, route: { path?: string | RegExp } | undefined) {
      this[MATCHED_ROUTE] = route;
      this[MATCHED_BASE] = this.baseUrl;
    },
  });
}

/** Request durations by route pattern (never the raw URL: ids would explode the label set). */
export function httpMetricsMiddleware(app: Application, registry: Registry): RequestHandler {
  const histogram = new Histogram({
    name: 'dagctl_http_request_duration_seconds',
    help: 'Web server request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  recordMountPathOfMatchedRoute(app);
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const matched = req as unknown as MatchedRequest;
      const routePath = matched[MATCHED_ROUTE]?.path;
      const route = routePath ? `${matched[MATCHED_BASE] ?? ''}${String(routePath)}` : 'unmatched';
      histogram.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    next();
  };
}
