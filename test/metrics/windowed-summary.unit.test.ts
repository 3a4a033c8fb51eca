import { Registry } from 'prom-client';
import { WindowedSummary } from '../../src/metrics/windowed-summary';

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

describe('WindowedSummary', () => {
  let nowMs = 0;
  let registry: Registry;
  const summary = (maxSamplesPerSeries = 512) =>
    new WindowedSummary({
      name: 'took',
      help: 'How long it took',
      labelNames: ['task_id'],
      registers: [registry],
      percentiles: [0.5, 0.9, 0.99],
      windowSeconds: 600,
      maxSamplesPerSeries,
      now: () => nowMs,
    });
  const samplesOf = async (metric: WindowedSummary<'task_id'>, taskId: string): Promise<Record<string, number>> => {
    const { values } = (await metric.get()) as unknown as { values: Sample[] };
    const out: Record<string, number> = {};
    for (const v of values.filter((s) => s.labels.task_id === taskId))
      out[v.metricName ?? `q${String(v.labels.quantile)}`] = v.value;
    return out;
  };

  beforeEach(() => {
    nowMs = 1_000_000;
    registry = new Registry();
  });

  it('reports exact quantiles (nearest rank), the sum and the count, per series', async () => {
    const metric = summary();
    for (let v = 100; v >= 1; v -= 1) metric.observe({ task_id: 'a' }, v);
    metric.observe({ task_id: 'b' }, 1800);
    expect(await samplesOf(metric, 'a')).toEqual({
      'q0.5': 50,
      'q0.9': 90,
      'q0.99': 99,
      took_sum: 5050,
      took_count: 100,
    });
    expect(await samplesOf(metric, 'b')).toEqual({
      'q0.5': 1800,
      'q0.9': 1800,
      'q0.99': 1800,
      took_sum: 1800,
      took_count: 1,
    });
  });

  it('takes quantiles over the window only; sum and count keep counting', async () => {
    const metric = summary();
    metric.observe({ task_id: 'a' }, 5);
    nowMs += 300_000;
    metric.observe({ task_id: 'a' }, 7);
    nowMs += 300_001; // the first observation is now older than 10 minutes
    expect(await samplesOf(metric, 'a')).toEqual({
      'q0.5': 7,
      'q0.9': 7,
      'q0.99': 7,
      took_sum: 12,
      took_count: 2,
    });
    nowMs += 600_000; // none left in the window: no quantile to tell
    expect(await samplesOf(metric, 'a')).toEqual({ took_sum: 12, took_count: 2 });
    metric.observe({ task_id: 'a' }, 1);
    expect(await samplesOf(metric, 'a')).toMatchObject({ 'q0.5': 1, took_count: 3 });
  });

  it("keeps only a series' latest observations for its quantiles", async () => {
    const metric = summary(3);
    for (let v = 1; v <= 10; v += 1) metric.observe({ task_id: 'a' }, v);
    expect(await samplesOf(metric, 'a')).toEqual({
      'q0.5': 9,
      'q0.9': 10,
      'q0.99': 10,
      took_sum: 55,
      took_count: 10,
    });
  });

  it('is a summary in the Prometheus text of its registry, and reset forgets every series', async () => {
    const metric = summary();
    metric.observe({ task_id: 'a' }, 2);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE took summary');
    expect(text).toContain('took{quantile="0.5",task_id="a"} 2');
    expect(text).toContain('took_count{task_id="a"} 1');
    metric.reset();
    expect(await samplesOf(metric, 'a')).toEqual({});
  });
});
