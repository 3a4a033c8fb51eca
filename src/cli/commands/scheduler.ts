import { Command } from 'commander';
import { withAppContext } from '../cli-context';
import { parseIntArg } from '../parse-args';
import { runScheduler } from '../parts';
import { shutdownSignal } from '../shutdown-signal';

export function registerSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description('run the scheduler (with the DAG processor and the executor) until stopped')
    .option('-n, --num-loops <n>', 'stop after this many scheduling loops', (v) => parseIntArg(v, '--num-loops', 1))
    .action(async (options: { numLoops?: number }) => {
      const stop = shutdownSignal('the scheduler');
      try {
        await withAppContext((ctx) => runScheduler(ctx, { numLoops: options.numLoops, signal: stop.signal }), {
          quiet: false,
        });
      } finally {
        stop.dispose();
      }
    });
}
