import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | null = null;

/**
 * This process's Node metrics (CPU, memory, event loop lag, GC), prefixed `dagctl_web_` so they
 * never clash with another Node process's on the same Prometheus. One registry per process:
 * collectDefaultMetrics starts monitors that a second call would start again.
 */
export function nodeProcessRegistry(): Registry {
  if (registry) return registry;
  registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dagctl_web_' });
  // Gauges named like counters, which promtool refuses; nodejs_active_{handles,requests,resources}
  // (by type) carry the same numbers.
  for (const kind of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`dagctl_web_nodejs_active_${kind}_total`);
  return registry;
}
