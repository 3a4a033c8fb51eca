export {
  observeSchedulerLoop,
  observeDagProcessing,
  processMetricsRegistry,
  executorOpenSlots,
} from './process-metrics';
export { createDbMetricsRegistry } from './db-metrics';
export { httpMetricsMiddleware } from './http-metrics';
export { metricsHandler } from './metrics-route';
