import type { LoadedConfig } from '../config/load-config';
import type { TaskProcessPoolOptions } from '../runner/task-process-pool';
import { childEnvFor } from './child-env';

/** The task process pool settings that come from config, the same for every executor and worker. */
export type ConfiguredTaskPoolOptions = Required<
  Pick<TaskProcessPoolOptions, 'mode' | 'maxTasksPerChild' | 'maxMemoryMb' | 'env' | 'baseLogFolder' | 'killGraceMs'>
>;

/** How task processes are run (`local.*`), what they see (childEnvFor) and where their logs go. */
export function taskPoolOptionsFromConfig(config: LoadedConfig): ConfiguredTaskPoolOptions {
  return {
    mode: config.local.mode,
    maxTasksPerChild: config.local.max_tasks_per_child,
    maxMemoryMb: config.local.max_memory_per_child_mb,
    env: childEnvFor(config),
    baseLogFolder: config.logging.base_log_folder,
    killGraceMs: config.core.killed_task_cleanup_time,
  };
}
