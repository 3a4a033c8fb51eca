import type { LabelValues, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';
import { Summary } from 'prom-client';

export interface WindowedSummaryOptions<T extends string> {
  name: string;
  help: string;
  labelNames: readonly T[];
  registers: Registry[];
  /** Quantiles to report, e.g. [0.5, 0.9, 0.99]. */
  percentiles: number[];
  /** Quantiles are over the observations of this many last seconds. */
  windowSeconds: number;
  /** At most this many of a series' latest observations are kept for its quantiles. */
  maxSamplesPerSeries: number;
  /** Monotonic milliseconds (tests pass their own clock). */
  now?: () => number;
}

type Labels = Record<string, string | number>;

interface Series {
  labels: Labels;
  count: number;
  sum: number;
  /** Observations in arrival order from `start` on: when each was made (ms) and its value. */
  at: number[];
  values: number[];
  start: number;
}

/**
 * A Prometheus summary (`_sum`, `_count` since the process started, and quantiles) whose quantiles
 * are exact over a sliding time window: each observation is kept (at most `maxSamplesPerSeries`
 * of them per series, the latest), and the quantiles are worked out only when the summary is read.
 * prom-client's own Summary pushes every observation into several t-digests and compresses each
 * series' digest on every read: with a series per task, the scheduler's heartbeat publish then
 * cost tens of milliseconds per thousand series, whether or not anyone scrapes. Here an
 * observation is two array pushes, and a read sorts a few numbers per series.
 */
export class WindowedSummary<T extends string> extends Summary<T> {
  private readonly series = new Map<string, Series>();
  private readonly metricName: string;
  private readonly metricHelp: string;
  private readonly labelKeys: readonly T[];
  private readonly quantiles: number[];
  private readonly windowMs: number;
  private readonly maxSamples: number;
  private readonly now: () => number;

  constructor(options: WindowedSummaryOptions<T>) {
    super({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      registers: options.registers,
      percentiles: options.percentiles,
    });
    this.metricName = options.name;
    this.metricHelp = options.help;
    this.labelKeys = options.labelNames;
    this.quantiles = options.percentiles;
    this.windowMs = options.windowSeconds * 1000;
    this.maxSamples = Math.max(1, options.maxSamplesPerSeries);
    this.now = options.now ?? (() => performance.now());
  }

  override observe(labelsOrValue: LabelValues<T> | number, maybeValue?: number): void {
    const labels = typeof labelsOrValue === 'number' ? ({} as LabelValues<T>) : labelsOrValue;
    const value = typeof labelsOrValue === 'number' ? labelsOrValue : maybeValue;
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    const key = this.labelKeys.map((name) => String(labels[name] ?? '')).join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels } as Labels, count: 0, sum: 0, at: [], values: [], start: 0 };
      this.series.set(key, series);
    }
    series.count += 1;
    series.sum += value;
    series.at.push(this.now());
    series.values.push(value);
    if (series.values.length - series.start > this.maxSamples) series.start += 1;
    compact(series);
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    await Promise.resolve();
    const oldest = this.now() - this.windowMs;
    const values: Array<{ labels: Labels; value: number; metricName?: string }> = [];
    for (const series of this.series.values()) {
      while (series.start < series.at.length && series.at[series.start] < oldest) series.start += 1;
      compact(series);
      const recent = series.values.slice(series.start).sort((a, b) => a - b);
      // No observation in the window: no quantile to tell (prom-client would say 0).
      if (recent.length > 0)
        for (const quantile of this.quantiles)
          values.push({ labels: { quantile, ...series.labels }, value: nearestRank(recent, quantile) });
      values.push({ metricName: `${this.metricName}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.metricName}_count`, labels: series.labels, value: series.count });
    }
    const metric = { name: this.metricName, help: this.metricHelp, type: 'summary', values, aggregator: 'sum' };
    return metric as unknown as MetricObjectWithValues<MetricValueWithName<T>>;
  }

  /** Not offered: prom-client's child would record into the parent's digests, which get() never reads. */
  override labels(): never {
    throw new Error(`${this.metricName}: labels() is not supported, pass the labels to observe()`);
  }

  /** Not offered (nothing removes a series: each stays until the process ends). */
  override remove(): never {
    throw new Error(`${this.metricName}: remove() is not supported`);
  }

  override reset(): void {
    super.reset();
    // Also called by prom-client's constructor, before this class's fields exist.
    (this.series as Map<string, Series> | undefined)?.clear();
  }
}

/** The value of rank ⌈q·n⌉ in sorted values (n ≥ 1): the smallest value with at least q of them at or below it. */
function nearestRank(sorted: number[], quantile: number): number {
  const rank = Math.ceil(quantile * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Drop the observations before `start` once they are half the arrays, so a busy series stays bounded. */
function compact(series: Series): void {
  if (series.start === 0 || series.start * 2 < series.at.length) return;
  series.at = series.at.slice(series.start);
  series.values = series.values.slice(series.start);
  series.start = 0;
}
