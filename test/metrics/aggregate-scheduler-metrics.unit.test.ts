import { Counter, Registry } from 'prom-client';
import { aggregateSchedulerMetrics, type MetricsJson } from '../../src/metrics/aggregate-scheduler-metrics';
import { WindowedSummary } from '../../src/metrics/windowed-summary';

/** What one scheduler publishes: a task-duration summary and a counter, its JSON as in job.metrics. */
async function published(durations: Record<string, number[]>, loops: number): Promise<MetricsJson> {
  const registry = new Registry();
  const summary = new WindowedSummary({
    name: 'took',
    help: 'How long it took',
    labelNames: ['task_id'],
    registers: [registry],
    percentiles: [0.5, 0.99],
    windowSeconds: 600,
    maxSamplesPerSeries: 512,
    now: () => 0,
  });
  for (const [taskId, values] of Object.entries(durations))
    for (const value of values) summary.observe({ task_id: taskId }, value);
  new Counter({ name: 'loops_total', help: 'Loops', registers: [registry] }).inc(loops);
  return JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as MetricsJson;
}

describe('aggregateSchedulerMetrics', () => {
  it("adds up counts and sums but takes each summary quantile as the largest of the schedulers'", async () => {
    const merged = aggregateSchedulerMetrics([
      await published({ a: [1, 2, 3], b: [7] }, 4),
      await published({ a: [10] }, 5),
      await published({}, 0), // a web server's own registry: the families, no series
    ]);
    const text = await merged.metrics();
    // Summed, the median would read 12 s; no try of task a took more than 10.
    expect(text).toContain('took{quantile="0.5",task_id="a"} 10');
    expect(text).toContain('took{quantile="0.99",task_id="a"} 10');
    expect(text).toContain('took_sum{task_id="a"} 16');
    expect(text).toContain('took_count{task_id="a"} 4');
    // A series only one scheduler has is that scheduler's, exactly.
    expect(text).toContain('took{quantile="0.5",task_id="b"} 7');
    expect(text).toContain('took_count{task_id="b"} 1');
    expect(text).toContain('# TYPE took summary');
    expect(text).toContain('loops_total 9');
  });

  it('takes a name as the type its first source gives, so a type changed between versions is no error', async () => {
    const older = new Registry();
    new Counter({ name: 'took', help: 'How long it took, once a counter', registers: [older] }).inc(3);
    const merged = aggregateSchedulerMetrics([await published({ a: [1] }, 1), await older.getMetricsAsJSON()]);
    const text = await merged.metrics();
    expect(text).toContain('# TYPE took summary');
    expect(text).toContain('took_count{task_id="a"} 1');
  });

  it('keeps a summary only one process published as it is', async () => {
    const text = await aggregateSchedulerMetrics([await published({ a: [1, 2, 3, 4] }, 1)]).metrics();
    expect(text).toContain('took{quantile="0.5",task_id="a"} 2');
    expect(text).toContain('took{quantile="0.99",task_id="a"} 4');
    expect(text).toContain('took_sum{task_id="a"} 10');
  });
});
