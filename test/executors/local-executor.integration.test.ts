import { LocalExecutor } from '../../src/executors/local-executor';
import { describeExecutor } from './describe-executor';

describeExecutor(
  'local (warm)',
  ({ config, timeoutGraceMs }) => LocalExecutor.fromConfig(config, { mode: 'warm', timeoutGraceMs }),
  { reusesProcesses: true, writesLocalLogs: true },
);
describeExecutor(
  'local (fork)',
  ({ config, timeoutGraceMs }) => LocalExecutor.fromConfig(config, { mode: 'fork', timeoutGraceMs }),
  { reusesProcesses: false, writesLocalLogs: true },
);
