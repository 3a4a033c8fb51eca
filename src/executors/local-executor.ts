import type { LoadedConfig } from '../config/load-config';
import { PoolExecutor, PoolExecutorOptions } from './pool-executor';
import { taskPoolOptionsFromConfig } from './task-pool-options-from-config';

export type LocalExecutorOptions = PoolExecutorOptions;

/**
 * Runs up to `parallelism` tries at once in child processes on this machine: warm (reused)
 * processes by default for low task-to-task latency, or a fresh process per try (`local.mode=fork`).
 */
export class LocalExecutor extends PoolExecutor {
  constructor(options: LocalExecutorOptions) {
    super('local', options);
  }

  static fromConfig(config: LoadedConfig, overrides: Partial<LocalExecutorOptions> = {}): LocalExecutor {
    return new LocalExecutor({
      parallelism: config.core.parallelism,
      ...taskPoolOptionsFromConfig(config),
      ...overrides,
    });
  }
}
