import { Command } from 'commander';
import { DagEntity } from '../../db/entities';
import { extraSensitiveWords } from '../../core/sensitive-names';
import { withAppContext } from '../cli-context';
import { ensureDagsParsed } from '../ensure-dags-parsed';
import { dagRunJson } from '../json-shapes';
import { printLine, printObject, printWarning, withOutputOption, type OutputFormat } from '../output';
import { parseConfArg, parseDateArg } from '../parse-args';
import { triggerDagRun } from '../parts';

interface TriggerOptions {
  conf?: string;
  runId?: string;
  execDate?: string;
  output: OutputFormat;
}

async function trigger(dagId: string, options: TriggerOptions): Promise<void> {
  const conf = options.conf !== undefined ? parseConfArg(options.conf) : undefined;
  const logicalDate = options.execDate !== undefined ? parseDateArg(options.execDate, 'logical date') : undefined;
  await withAppContext(async (ctx) => {
    await ensureDagsParsed(ctx, dagId);
    const run = await triggerDagRun(ctx, { dagId, runId: options.runId, conf, logicalDate, runType: 'manual' });
    const dag = await ctx.dataSource.getRepository(DagEntity).findOneBy({ dagId });
    if (dag?.isPaused)
      printWarning(`DAG '${dagId}' is paused: the run starts once it is unpaused ('dagctl dags unpause ${dagId}')`);
    if (options.output === 'table') {
      printLine(
        `Created DAG run ${run.runId} of DAG ${run.dagId} ` +
          `(logical date ${run.logicalDate.toISOString()}, state ${run.state})`,
      );
    } else {
      printObject(dagRunJson(run, extraSensitiveWords(ctx.config.core.sensitive_var_conn_names)), options.output);
    }
  });
}

/** `trigger DAG_ID [-c JSON] [-r RUN_ID] [-e LOGICAL_DATE]`, under the root and under `dags`. */
export function addTriggerCommand(parent: Command): void {
  withOutputOption(
    parent
      .command('trigger')
      .description('create a manual DAG run; the scheduler runs it')
      .argument('<dag_id>', 'the DAG to run')
      .option('-c, --conf <json>', 'JSON object passed to the run as dag_run.conf')
      .option('-r, --run-id <run_id>', 'the run id (default manual__<logical date>)')
      .option('-e, --exec-date <logical_date>', 'the logical date (default now)'),
  ).action(trigger);
}

export function registerTriggerCommand(program: Command): void {
  addTriggerCommand(program);
}
