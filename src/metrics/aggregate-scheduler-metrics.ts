import {
  AggregatorRegistry,
  type MetricObjectWithValues,
  type MetricValue,
  type PrometheusContentType,
  type Registry,
} from 'prom-client';

export type MetricsJson = Array<MetricObjectWithValues<MetricValue<string>>>;
type Metric = MetricsJson[number];
type Value = Metric['values'][number] & { metricName?: string };

/**
 * One registry of what several scheduler processes published. Counters, gauges and histograms add
 * up (prom-client's aggregation). A summary's `_sum` and `_count` add up too, but its quantiles
 * cannot: two schedulers' p99 of 3 s are not a p99 of 6 s. Each quantile is the largest of the
 * processes' quantiles for that series — an upper bound of the quantile of all their observations,
 * and exact when one process made them (one scheduler, or one that ran that task).
 */
export function aggregateSchedulerMetrics(sources: MetricsJson[]): Registry {
  // A name's type is the one its first source gives (processes of two versions may differ, as
  // prom-client's own aggregation decides); parts of another type are left out, never registered twice.
  const typeOf = new Map<string, string>();
  for (const metrics of sources)
    for (const metric of metrics) if (!typeOf.has(metric.name)) typeOf.set(metric.name, String(metric.type));
  const summaries = new Map<string, Metric[]>();
  const others = sources.map((metrics) =>
    metrics.filter((metric) => {
      // prom-client types `type` as a numeric enum; at run time it is the text ('summary').
      const type = String(metric.type);
      if (type !== typeOf.get(metric.name)) return false;
      if (type !== 'summary') return true;
      summaries.set(metric.name, [...(summaries.get(metric.name) ?? []), metric]);
      return false;
    }),
  );
  const registry = AggregatorRegistry.aggregate<PrometheusContentType>(others);
  for (const parts of summaries.values()) {
    const merged = mergeSummaries(parts);
    registry.registerMetric(Object.assign({ get: () => merged }, merged) as never);
  }
  return registry;
}

function mergeSummaries(parts: Metric[]): Metric {
  const byKey = new Map<string, Value>();
  for (const part of parts)
    for (const value of part.values as Value[]) {
      const key = `${value.metricName ?? ''}\u0000${JSON.stringify(Object.entries(value.labels).sort())}`;
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, { ...value });
      else if (value.labels.quantile === undefined) seen.value += value.value;
      else seen.value = Math.max(seen.value, value.value);
    }
  return { ...parts[0], values: [...byKey.values()] };
}
