import type { LoadedConfig } from '../config/load-config';
import { childEnvFor } from './child-env';
import { PoolExecutor, PoolExecutorOptions } from './pool-executor';

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
      mode: config.local.mode,
      maxTasksPerChild: config.local.max_tasks_per_child,
      maxMemoryMb: config.local.max_memory_per_child_mb,
      env: childEnvFor(config),
      baseLogFolder: config.logging.base_log_folder,
      ...overrides,
    });
  }
}
