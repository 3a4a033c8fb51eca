import { Command } from 'commander';
import { UserError } from '../../core/errors';
import { loadConfig } from '../../config/load-config';
import { configureLogging } from '../../logging/logger';
import { parseIntArg } from '../parse-args';
import { shutdownSignal, waitForAbort } from '../shutdown-signal';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run tasks from the bullmq queues (core.executor = bullmq) until stopped')
    .option('-q, --queues <queues>', 'comma-separated queues to take tasks from (default worker.queues)')
    .option('-c, --concurrency <n>', 'tasks run at once (default worker.concurrency)', (v) =>
      parseIntArg(v, '--concurrency', 1),
    )
    .action(async (options: { queues?: string; concurrency?: number }) => {
      const config = loadConfig();
      configureLogging({ level: config.logging.level, format: config.logging.format });
      if (config.core.executor !== 'bullmq') {
        throw new UserError(
          `dagctl worker needs core.executor = bullmq (it is '${config.core.executor}'): ` +
            'set DAGCTL__CORE__EXECUTOR=bullmq for the scheduler and the workers',
        );
      }
      const queues = (options.queues ?? config.worker.queues)
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean);
      if (queues.length === 0) throw new UserError('no queue to work on: give -q QUEUES');
      const { startWorker } = await import('../../executors/bullmq/worker');
      const stop = shutdownSignal('the worker');
      try {
        const worker = await startWorker(config, {
          queues,
          concurrency: options.concurrency ?? config.worker.concurrency,
        });
        process.stderr.write(
          `dagctl worker consuming queue(s) ${queues.join(', ')} ` +
            `from ${config.redis.url.replace(/\/\/[^@/]*@/, '//***@')}\n`,
        );
        await waitForAbort(stop.signal);
        await worker.close();
      } finally {
        stop.dispose();
      }
    });
}
