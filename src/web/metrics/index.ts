export { observeSchedulerLoop, observeDagProcessing, processMetricsRegistry } from './process-metrics';
export { createDbMetricsRegistry } from './db-metrics';
export { httpMetricsMiddleware } from './http-metrics';
export { metricsHandler } from './metrics-route';
