import os from 'node:os';
import { Command, Option } from 'commander';
import { InvalidArgumentError, UserError } from '../../core/errors';
import { findJobs } from '../../db/reads/job-reads';
import { withAppContext } from '../cli-context';
import { jobIsAlive } from '../job-liveness';
import { printLine } from '../output';
import { parseIntArg } from '../parse-args';

/** dagctl's job types (a LocalTaskJob is one `tasks run`, as in Airflow). */
const JOB_TYPES = ['SchedulerJob', 'WorkerJob', 'DagProcessorJob', 'LocalTaskJob'];

interface CheckOptions {
  jobType?: string;
  hostname?: string;
  limit: number;
  allowMultiple?: boolean;
  local?: boolean;
}

/**
 * `dagctl jobs check`, Airflow's liveness probe: exit 0 when a matching job is alive, 1 when none
 * is (or, without --allow-multiple, when more than one is).
 */
export function registerJobCommands(program: Command): void {
  const jobs = program.command('jobs').description('inspect the running dagctl processes (scheduler, workers…)');
  jobs
    .command('check')
    .description('exit 0 if a matching job is alive, 1 if not (a health probe, as in Airflow)')
    .addOption(new Option('--job-type <type>', 'the type of job').choices(JOB_TYPES))
    .option('--hostname <host>', 'only jobs on this host')
    .option('--limit <n>', 'how many recent jobs to check', (v) => parseIntArg(v, '--limit', 1), 1)
    .option('--allow-multiple', 'more than one alive job is fine')
    .option('--local', 'only jobs on this host (its hostname)')
    .action(async (options: CheckOptions) => {
      if (options.local && options.hostname) throw new InvalidArgumentError('pass --local or --hostname, not both');
      await withAppContext(async (ctx) => {
        const recent = await findJobs(ctx.dataSource, {
          jobType: options.jobType,
          hostname: options.local ? os.hostname() : options.hostname,
          state: 'running',
          limit: options.limit,
        });
        const alive = recent.filter((job) => jobIsAlive(ctx, job));
        if (alive.length === 0) throw new UserError('No alive jobs found.');
        if (alive.length > 1 && !options.allowMultiple)
          throw new UserError(`Found ${alive.length} alive jobs. Expected only one.`);
        printLine(alive.length === 1 ? 'Found one alive job.' : `Found ${alive.length} alive jobs.`);
      });
    });
}
