import { BullmqHopSplit, describeBullmqHopSplit, traceBullmqHops } from '../bullmq-hop-trace';
import { chainDag } from '../dag-sources';
import { taskTimes, triggerAndWait } from '../dag-runs';
import { withDagScenario } from '../dag-scenario';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { median, percentile, round } from '../stats';

const VARIANTS = [
  { executor: 'local', database: 'sqlite', p50: 10, p95: 25 as number | null },
  { executor: 'bullmq', database: 'postgres', p50: 25, p95: null },
] as const;

/**
 * Hop latency: over a chain of N tasks, the gap from each task's end_date to its downstream's
 * start_date (both stamped from executor events), p50 and p95 per run.
 */
export const hopLatency: Scenario = {
  name: 'hop',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.hopChain;
    const out: Figure[] = [];
    for (const v of VARIANTS) {
      const base = {
        scenario: 'hop latency',
        executor: v.executor,
        database: v.database,
        unit: 'ms',
        size: `chain of ${n}`,
      } as const;
      const p50Spec: FigureSpec = {
        ...base,
        metric: 'p50 task end → next start',
        target: atMost(v.p50, `≤ ${v.p50} ms`),
      };
      const p95Spec: FigureSpec = {
        ...base,
        metric: 'p95 task end → next start',
        target: v.p95 === null ? null : atMost(v.p95, `≤ ${v.p95} ms`),
      };
      out.push(
        ...(await guardVariant(bench, [p50Spec, p95Spec], async () => {
          const { value } = await withDagScenario(
            bench,
            { executor: v.executor, database: v.database, files: { 'chain.ts': chainDag('bench_hops', n) } },
            async ({ ctx }) => {
              const p50s: number[] = [];
              const p95s: number[] = [];
              const toQueued: number[] = [];
              const toStart: number[] = [];
              const bullmqSplits: BullmqHopSplit[] = [];
              for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
                const runId = `bench_${rep}`;
                await triggerAndWait(ctx, 'bench_hops', runId, 120_000 + n * 2_000);
                const tasks = await taskTimes(ctx, 'bench_hops', runId);
                if (tasks.length !== n) throw new Error(`expected ${n} task instances, found ${tasks.length}`);
                const gaps = tasks.slice(1).map((t, i) => t.start - tasks[i].end);
                if (gaps.some((g) => !Number.isFinite(g))) throw new Error('a task instance has no start or end date');
                p50s.push(percentile(gaps, 50));
                p95s.push(percentile(gaps, 95));
                // Where a hop goes: the scheduler deciding and queuing, then the executor starting it.
                toQueued.push(
                  percentile(
                    tasks.slice(1).map((t, i) => t.queued - tasks[i].end),
                    50,
                  ),
                );
                toStart.push(
                  percentile(
                    tasks.slice(1).map((t) => t.start - t.queued),
                    50,
                  ),
                );
                if (v.executor === 'bullmq') {
                  const split = await traceBullmqHops(ctx, runId, tasks);
                  if (split) bullmqSplits.push(split);
                }
              }
              return { p50s, p95s, toQueued, toStart, bullmqSplits };
            },
          );
          const note = `${n - 1} gaps per run; each repetition is one run, the figure is the median over repetitions`;
          const split =
            `p50 split: upstream end → downstream queued ${round(median(value.toQueued))} ms (scheduler), ` +
            `queued → started ${round(median(value.toStart))} ms (executor)`;
          const splits = value.bullmqSplits;
          const traced = splits.length
            ? [
                describeBullmqHopSplit({
                  resultToLoop: median(splits.map((s) => s.resultToLoop)),
                  loopToSend: median(splits.map((s) => s.loopToSend)),
                  sendToPickup: median(splits.map((s) => s.sendToPickup)),
                  pickupToStart: median(splits.map((s) => s.pickupToStart)),
                }),
              ]
            : [];
          return [
            measured({ ...p50Spec, notes: [note, split, ...traced] }, value.p50s),
            measured({ ...p95Spec, notes: [note] }, value.p95s),
          ];
        })),
      );
    }
    return out;
  },
};
