import { spawnSync } from 'node:child_process';
import { guardVariant } from '../guard-variant';
import { Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { median } from '../stats';

/** A bare `node -e 0`: the cost a process-per-task design pays on every task. */
export const nodeStart: Scenario = {
  name: 'baseline-node',
  kind: 'baseline',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.nodeStarts;
    const spec: FigureSpec = {
      scenario: 'baseline: process start',
      metric: '`node -e 0` wall time',
      executor: '-',
      database: '-',
      unit: 'ms',
      size: `${n} starts per repetition`,
      target: null,
    };
    return guardVariant(bench, [spec], async () => {
      const samples: number[] = [];
      for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
        const times: number[] = [];
        for (let i = 0; i < n; i += 1) {
          const started = performance.now();
          const r = spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore', timeout: 30_000 });
          if (r.status !== 0) throw new Error(`node -e 0 exited ${r.status}`);
          times.push(performance.now() - started);
        }
        samples.push(median(times));
      }
      return [measured(spec, samples)];
    });
  },
};
