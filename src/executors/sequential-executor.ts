import type { LoadedConfig } from '../config/load-config';
import { childEnvFor } from './child-env';
import { PoolExecutor, PoolExecutorOptions } from './pool-executor';

export type SequentialExecutorOptions = Omit<PoolExecutorOptions, 'parallelism'>;

/** One try at a time, in a child process (like Airflow's SequentialExecutor). */
export class SequentialExecutor extends PoolExecutor {
  constructor(options: SequentialExecutorOptions) {
    super('sequential', { ...options, parallelism: 1 });
  }

  static fromConfig(config: LoadedConfig, overrides: Partial<SequentialExecutorOptions> = {}): SequentialExecutor {
    return new SequentialExecutor({
      mode: config.local.mode,
      maxTasksPerChild: config.local.max_tasks_per_child,
      maxMemoryMb: config.local.max_memory_per_child_mb,
      env: childEnvFor(config),
      baseLogFolder: config.logging.base_log_folder,
      ...overrides,
    });
  }
}
