import { errorMessage } from '../../src/core/errors';
import { Figure, FigureSpec, notMeasured } from './result';
import type { BenchContext } from './scenario';

/**
 * Run one variant of a scenario; if it throws, every figure it would have produced becomes a row
 * saying why (bullmq rows read "not available: …", so a missing tier never hides a local figure).
 */
export async function guardVariant(
  bench: BenchContext,
  specs: FigureSpec[],
  work: () => Promise<Figure[]>,
): Promise<Figure[]> {
  const label = `${specs[0].scenario} (${specs[0].executor}+${specs[0].database})`;
  if (specs[0].executor !== '-' && !bench.executors.has(specs[0].executor)) return [];
  bench.log(`${label}: running`);
  const started = Date.now();
  try {
    const figures = await work();
    bench.log(
      `${label}: ${figures.map((f) => `${f.metric} ${f.median} ${f.unit}`).join(', ')} ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return figures;
  } catch (err) {
    const message = errorMessage(err).replace(/\s+/g, ' ').slice(0, 600);
    bench.log(`${label}: FAILED ${message}`);
    const bullmq = specs[0].executor === 'bullmq';
    return specs.map((s) =>
      notMeasured(s, bullmq ? 'skipped' : 'failed', bullmq ? `not available: ${message}` : message),
    );
  }
}
