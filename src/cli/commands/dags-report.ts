import fs from 'node:fs';
import { Command, Option } from 'commander';
import { UserError } from '../../core/errors';
import { findJobs } from '../../db/reads/job-reads';
import { requireDag } from '../../services/require-dag';
import { withAppContext } from '../cli-context';
import { jobIsAlive } from '../job-liveness';
import { isoOrNull, printRows, printWarning, withOutputOption, type OutputFormat } from '../output';
import { parseIntArg } from '../parse-args';

const JOB_STATES = ['running', 'success', 'failed'];

/** `dags report` (parse time per file) and `dags list-jobs` (the processes that serve the DAGs). */
export function addDagReportCommands(dags: Command): void {
  withOutputOption(
    dags
      .command('report')
      .description('parse every DAG file now (in parser children) and show each file’s parse time, DAGs and tasks'),
  ).action(async (options: { output: OutputFormat }) => {
    await withAppContext(async (ctx) => {
      const folder = ctx.config.core.dags_folder;
      if (!fs.existsSync(folder)) throw new UserError(`dags folder ${folder} does not exist`);
      const { reportDagFiles } = await import('../../parsing/dag-file-report');
      const rows = await reportDagFiles(ctx.config);
      printRows(
        rows.map((row) => ({ ...row, duration: `${(row.duration_ms / 1000).toFixed(3)}s` })),
        options.output,
        ['file', 'duration', 'dag_num', 'task_num', 'dags', 'error'],
      );
      const failed = rows.filter((row) => row.error !== null).length;
      if (failed > 0) printWarning(`${failed} DAG file(s) failed to import`);
    });
  });

  withOutputOption(
    dags
      .command('list-jobs')
      .description('list the scheduler, worker, DAG processor and hand run (LocalTaskJob) jobs, latest heartbeat first')
      .option('-d, --dag-id <dag_id>', 'a DAG (every job serves all DAGs: checks the DAG exists)')
      .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES))
      .option('--limit <n>', 'at most this many jobs', (v) => parseIntArg(v, '--limit', 1)),
  ).action(async (options: { output: OutputFormat; dagId?: string; state?: string; limit?: number }) => {
    await withAppContext(async (ctx) => {
      if (options.dagId !== undefined) await requireDag(ctx.dataSource, options.dagId);
      const jobs = await findJobs(ctx.dataSource, { state: options.state, limit: options.limit });
      printRows(
        jobs.map((job) => ({
          id: job.id,
          job_type: job.jobType,
          state: job.state,
          alive: jobIsAlive(ctx, job),
          hostname: job.hostname,
          pid: job.pid,
          executor_class: job.executorClass,
          start_date: isoOrNull(job.startDate),
          end_date: isoOrNull(job.endDate),
          latest_heartbeat: isoOrNull(job.latestHeartbeat),
        })),
        options.output,
        ['id', 'job_type', 'state', 'alive', 'hostname', 'pid', 'start_date', 'end_date', 'latest_heartbeat'],
      );
    });
  });
}
