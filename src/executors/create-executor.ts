import type { LoadedConfig } from '../config/load-config';
import { UserError } from '../core/errors';
import type { Executor } from '../core/executor';
import { LocalExecutor } from './local-executor';
import { SequentialExecutor } from './sequential-executor';

/** The executor named by `core.executor`. */
export function createExecutor(name: string, config: LoadedConfig): Executor {
  switch (name) {
    case 'sequential':
      return SequentialExecutor.fromConfig(config);
    case 'local':
      return LocalExecutor.fromConfig(config);
    case 'bullmq': {
      // Loaded only when chosen: it pulls in Redis clients the other executors do not need.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { BullMQExecutor } = require('./bullmq/bullmq-executor') as {
        BullMQExecutor: new (config: LoadedConfig) => Executor;
      };
      return new BullMQExecutor(config);
    }
    default:
      throw new UserError(`unknown executor '${name}': expected sequential, local or bullmq`);
  }
}
