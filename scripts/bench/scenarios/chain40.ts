import { chainDag } from '../dag-sources';
import { triggerAndWait } from '../dag-runs';
import { withDagScenario } from '../dag-scenario';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';

const VARIANTS = [
  { executor: 'local', database: 'sqlite', limit: 1.0 },
  { executor: 'bullmq', database: 'postgres', limit: 2.0 },
] as const;

/** chain40: N sequential no-op function tasks, trigger → run success (wall clock, DB end_date). */
export const chain40: Scenario = {
  name: 'chain40',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.chain;
    const out: Figure[] = [];
    for (const v of VARIANTS) {
      const spec: FigureSpec = {
        scenario: 'chain40',
        metric: 'trigger → run success',
        executor: v.executor,
        database: v.database,
        unit: 's',
        size: `${n} tasks`,
        target: atMost(v.limit, `≤ ${v.limit.toFixed(1)} s`),
      };
      out.push(
        ...(await guardVariant(bench, [spec], async () => {
          const { value } = await withDagScenario(
            bench,
            { executor: v.executor, database: v.database, files: { 'chain.ts': chainDag('bench_chain', n) } },
            async ({ ctx }) => {
              const samples: number[] = [];
              for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
                const run = await triggerAndWait(ctx, 'bench_chain', `bench_${rep}`, 120_000 + n * 2_000);
                samples.push((run.endedAt - run.triggeredAt) / 1000);
              }
              return samples;
            },
          );
          return [
            measured(
              {
                ...spec,
                notes: [
                  'repetition 1 is the first run after the scheduler started (task processes not yet warm): ' +
                    `${value[0].toFixed(2)} s`,
                ],
              },
              value,
            ),
          ];
        })),
      );
    }
    return out;
  },
};
