import { LocalExecutor } from '../../src/executors/local-executor';
import { describeExecutor } from './describe-executor';

describeExecutor(
  'local (warm)',
  ({ config, killGraceMs }) => LocalExecutor.fromConfig(config, { mode: 'warm', killGraceMs }),
  { reusesProcesses: true, writesLocalLogs: true, stopsTries: true, claimsTries: true },
);
describeExecutor(
  'local (fork)',
  ({ config, killGraceMs }) => LocalExecutor.fromConfig(config, { mode: 'fork', killGraceMs }),
  { reusesProcesses: false, writesLocalLogs: true, stopsTries: true, claimsTries: true },
);
