import { fanOutFanInDag } from '../dag-sources';
import { triggerAndWait } from '../dag-runs';
import { withDagScenario } from '../dag-scenario';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { percentile } from '../stats';

/**
 * One DAG of N tasks (start → N-2 in parallel → end): the whole run, and the p95 duration of the
 * scheduler loops that ran during it (the scheduler runs in the probe, which times each loop).
 */
export const big10k: Scenario = {
  name: 'big10k',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.big;
    const base = { scenario: 'big10k', executor: 'local', database: 'sqlite', size: `${n} tasks` } as const;
    const runSpec: FigureSpec = { ...base, metric: 'trigger → run success', unit: 's', target: atMost(60, '≤ 60 s') };
    const loopSpec: FigureSpec = { ...base, metric: 'scheduler loop p95 during the run', unit: 'ms', target: atMost(100, '≤ 100 ms') };
    return guardVariant(bench, [runSpec, loopSpec], async () => {
      const windows: Array<{ from: number; to: number }> = [];
      const { value: durations, loops } = await withDagScenario(bench, { executor: 'local', database: 'sqlite', probe: true, files: { 'big.ts': fanOutFanInDag('bench_big', n) } }, async ({ ctx }) => {
        const out: number[] = [];
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          const run = await triggerAndWait(ctx, 'bench_big', `bench_${rep}`, 900_000);
          out.push((run.endedAt - run.triggeredAt) / 1000);
          windows.push({ from: run.triggeredAt, to: run.endedAt });
        }
        return out;
      });
      const p95s: number[] = [];
      const maxes: number[] = [];
      for (const w of windows) {
        const during = loops.filter((l) => l.at >= w.from && l.at <= w.to + 50).map((l) => l.durationMs);
        if (during.length === 0) throw new Error('the probe recorded no scheduler loop during the run');
        p95s.push(percentile(during, 95));
        maxes.push(Math.max(...during));
      }
      const loopCount = loops.filter((l) => l.at >= windows[0].from && l.at <= windows[0].to + 50).length;
      return [
        measured(runSpec, durations),
        measured({ ...loopSpec, notes: [`${loopCount} loops in repetition 1; slowest loop per run: ${maxes.map((m) => Math.round(m)).join(', ')} ms`] }, p95s),
      ];
    });
  },
};
