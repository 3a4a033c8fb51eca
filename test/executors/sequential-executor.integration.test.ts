import { SequentialExecutor } from '../../src/executors/sequential-executor';
import { describeExecutor } from './describe-executor';

describeExecutor(
  'sequential',
  ({ config, timeoutGraceMs }) => SequentialExecutor.fromConfig(config, { timeoutGraceMs }),
  { sequential: true, reusesProcesses: true, writesLocalLogs: true },
);
