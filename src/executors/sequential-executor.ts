import type { LoadedConfig } from '../config/load-config';
import { PoolExecutor, PoolExecutorOptions } from './pool-executor';
import { taskPoolOptionsFromConfig } from './task-pool-options-from-config';

export type SequentialExecutorOptions = Omit<PoolExecutorOptions, 'parallelism'>;

/** One try at a time, in a child process (like Airflow's SequentialExecutor). */
export class SequentialExecutor extends PoolExecutor {
  constructor(options: SequentialExecutorOptions) {
    super('sequential', { ...options, parallelism: 1 });
  }

  static fromConfig(config: LoadedConfig, overrides: Partial<SequentialExecutorOptions> = {}): SequentialExecutor {
    return new SequentialExecutor({
      ...taskPoolOptionsFromConfig(config),
      ...overrides,
    });
  }
}
