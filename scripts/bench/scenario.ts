import type { Figure } from './result';
import type { Sizes } from './sizes';

/** Baseline figures later scenarios compare with (filled as baselines run). */
export interface BaselineValues {
  /** Raw BullMQ no-op drain, jobs/s (median). */
  bullmqDrainPerSec?: number;
}

export interface BenchContext {
  sizes: Sizes;
  quick: boolean;
  /** Only these executors' variants run (default both). */
  executors: Set<'local' | 'bullmq'>;
  baselines: BaselineValues;
  /** Write CPU profiles of scheduler processes here (--profile). */
  profileDir: string | null;
  log(message: string): void;
}

export interface Scenario {
  /** Name used by --only and in the table. */
  name: string;
  /** Baselines run first: their figures set targets of later scenarios. */
  kind: 'baseline' | 'scenario';
  run(ctx: BenchContext): Promise<Figure[]>;
}
