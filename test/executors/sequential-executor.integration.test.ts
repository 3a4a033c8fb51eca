import { SequentialExecutor } from '../../src/executors/sequential-executor';
import { describeExecutor } from './describe-executor';

describeExecutor('sequential', ({ config, killGraceMs }) => SequentialExecutor.fromConfig(config, { killGraceMs }), {
  sequential: true,
  reusesProcesses: true,
  writesLocalLogs: true,
  stopsTries: true,
  claimsTries: true,
});
