import type { Command } from 'commander';
import type { AppContext } from '../../app/app-context';
import type { BackfillView } from '../../db/reads/backfill-reads';
import { backfillProgress } from '../../services/backfill-progress';
import { execSql } from '../../db/sql';
import { maskSensitiveKeys } from '../../core/secrets-masker';
import { extraSensitiveWords } from '../../core/sensitive-names';
import {
  cancelBackfillByHand,
  createBackfill,
  listBackfills,
  planBackfill,
  requireBackfill,
  setBackfillPausedByHand,
  backfillJson,
  type BackfillRequest,
} from '../../services/backfills';
import { withAppContext } from '../cli-context';
import { ensureDagsParsed } from '../ensure-dags-parsed';
import {
  isStructured,
  printData,
  printLine,
  printObject,
  printRows,
  printWarning,
  withOutputOption,
  type OutputFormat,
} from '../output';
import { parseConfArg, parseDateArg, parseIntArg } from '../parse-args';

/** The CLI's output lands in terminals and CI logs: the runs' conf always masked by key name. */
function cliBackfillJson(ctx: AppContext, b: BackfillView): Record<string, unknown> {
  const words = extraSensitiveWords(ctx.config.core.sensitive_var_conn_names);
  return { ...backfillJson(b), dag_run_conf: maskSensitiveKeys(b.dagRunConf ?? {}, words) };
}

type BackfillOptions = {
  output: OutputFormat;
  startDate: string;
  endDate: string;
  dryRun?: boolean;
  reverse?: boolean;
  maxActiveRuns?: number;
  rerunFailedTasks?: boolean;
  resetDagruns?: boolean;
  conf?: Record<string, unknown>;
  wait?: boolean;
};

/** `dags backfill`: record a backfill for the scheduler (or only list its intervals with --dry-run). */
export function addDagsBackfillCommand(dags: Command): void {
  withOutputOption(
    dags
      .command('backfill')
      .description('record a backfill of a date range; the scheduler creates its runs in order')
      .argument('<dag_id>')
      .requiredOption('-s, --start-date <date>', 'first logical date (inclusive)')
      .requiredOption('-e, --end-date <date>', 'last logical date (inclusive)')
      .option('--dry-run', 'only list the intervals and what would happen to each; create nothing')
      .option('--reverse', 'create the runs newest first (Airflow: --run-backwards)')
      .option('--max-active-runs <n>', "most runs of this backfill active at once (default: the DAG's)", (v) =>
        parseIntArg(v, '--max-active-runs', 1),
      )
      .option('--rerun-failed-tasks', 'for a date whose run failed: clear and re-run only its failed tasks')
      .option('--reset-dagruns', 'for a date that has a finished run: clear the whole run and run it again')
      .option('-c, --conf <json>', 'conf of every run', (v) => parseConfArg(v))
      .option(
        '--wait',
        'follow the backfill until it completes (a progress bar on a terminal); Ctrl-C stops only watching',
      ),
  ).action(async (dagId: string, options: BackfillOptions) => {
    const request: BackfillRequest = {
      dagId,
      fromDate: parseDateArg(options.startDate, 'start date'),
      toDate: parseDateArg(options.endDate, 'end date'),
      reverse: options.reverse,
      maxActiveRuns: options.maxActiveRuns,
      rerunFailedTasks: options.rerunFailedTasks,
      resetDagruns: options.resetDagruns,
      dagRunConf: options.conf,
    };
    await withAppContext(async (ctx) => {
      await ensureDagsParsed(ctx, dagId);
      if (options.dryRun) {
        const plan = await planBackfill(ctx, request);
        const rows = plan.intervals.map((iv) => ({
          logical_date: iv.logicalDate.toISOString(),
          data_interval_start: iv.start.toISOString(),
          data_interval_end: iv.end.toISOString(),
          action: iv.action,
          existing_run_id: iv.existingRunId,
        }));
        if (isStructured(options.output)) {
          printData(
            { dag_id: dagId, dry_run: true, max_active_runs: plan.maxActiveRuns, intervals: rows },
            options.output,
          );
          return;
        }
        for (const r of rows)
          printLine(`${r.action.padEnd(6)} ${r.logical_date}  [${r.data_interval_start}, ${r.data_interval_end})`);
        printLine(`Dry run: ${rows.length} interval(s) of DAG '${dagId}'; nothing was created`);
        return;
      }
      const backfill = await createBackfill(ctx, request);
      const dagRow = await execSql<{ is_paused: unknown }>(
        ctx.dataSource,
        'SELECT is_paused FROM dag WHERE dag_id = ?',
        [dagId],
      );
      if (dagRow.records[0]?.is_paused === true || dagRow.records[0]?.is_paused === 1)
        printWarning(`DAG '${dagId}' is paused: its backfill runs wait until 'dagctl dags unpause ${dagId}'`);
      if (!options.wait) {
        if (isStructured(options.output)) printData(cliBackfillJson(ctx, backfill), options.output);
        else
          printLine(
            `Backfill ${backfill.id} of DAG '${dagId}' recorded: ${backfill.total} backfill run(s) ` +
              `to create or skip, at most ${backfill.maxActiveRuns} at a time; the scheduler runs them ` +
              `('dagctl backfill list -d ${dagId}')`,
          );
        return;
      }
      const final = await waitForBackfill(ctx, backfill.id, options.output);
      if (isStructured(options.output)) printData(cliBackfillJson(ctx, final), options.output);
      if ((final.runs.failed ?? 0) > 0 || final.cancelled) process.exitCode = 1;
    });
  });
}

const BAR_WIDTH = 30;

/** A backfill's progress as one line: done = plan dates whose run finished or that were skipped. */
function progressLine(b: BackfillView): string {
  return `backfill ${b.id}: ${backfillProgress(b)}${b.isPaused && !b.completedAt ? ' · paused' : ''}`;
}

function bar(b: BackfillView): string {
  const done = Math.min(b.total, (b.runs.success ?? 0) + (b.runs.failed ?? 0) + b.skipped);
  const filled = b.total ? Math.round((done / b.total) * BAR_WIDTH) : BAR_WIDTH;
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${progressLine(b)}`;
}

/**
 * Follow a backfill until it completes: a progress bar redrawn in place on a terminal, a plain
 * line per change otherwise (on stderr when stdout carries JSON), then a summary. Interrupting
 * stops only the watching: the backfill is the scheduler's.
 */
async function waitForBackfill(ctx: AppContext, id: number, output: OutputFormat): Promise<BackfillView> {
  const stream = isStructured(output) ? process.stderr : process.stdout;
  const tty = Boolean(stream.isTTY);
  const onSignal = (name: NodeJS.Signals): void => {
    if (tty) stream.write('\n');
    process.stderr.write(
      `${name}: stopped watching; backfill ${id} goes on (the scheduler runs it): 'dagctl backfill list'\n`,
    );
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let last = '';
    for (;;) {
      const b = await requireBackfill(ctx, id);
      const line = tty ? bar(b) : progressLine(b);
      if (line !== last) {
        stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
        last = line;
      }
      if (b.completedAt) {
        if (tty) stream.write('\n');
        const summary =
          `Backfill ${id} ${b.cancelled ? 'cancelled' : 'completed'}: ${b.runs.success ?? 0} run(s) succeeded, ` +
          `${b.runs.failed ?? 0} failed, ${b.skipped} date(s) skipped`;
        stream.write(`${summary}\n`);
        return b;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

type WithOutput = { output: OutputFormat };
const LIST_COLUMNS = ['id', 'dag_id', 'from_date', 'to_date', 'is_paused', 'cancelled', 'completed_at', 'progress'];

function idArg(text: string): number {
  return parseIntArg(text, 'backfill id', 1);
}

/** `backfill list | pause | unpause | cancel`. */
export function registerBackfillCommands(program: Command): void {
  const group = program.command('backfill').description('list, pause, unpause and cancel backfills');
  withOutputOption(
    group
      .command('list')
      .description('list backfills, newest first')
      .option('-d, --dag-id <dag_id>', 'only the backfills of this DAG'),
  ).action(async (options: WithOutput & { dagId?: string }) => {
    await withAppContext(async (ctx) => {
      const { backfills } = await listBackfills(ctx, { dagId: options.dagId });
      printRows(
        backfills.map((b) => ({
          ...cliBackfillJson(ctx, b),
          progress: progressLine(b).replace(/^backfill \d+: /, ''),
        })),
        options.output,
        LIST_COLUMNS,
      );
    });
  });
  for (const [name, description] of [
    ['pause', 'create and start no new run of the backfill until unpaused'],
    ['unpause', 'let a paused backfill go on'],
    ['cancel', 'stop a backfill for good: no new run, its queued runs fail, running runs finish'],
  ] as const) {
    withOutputOption(group.command(name).description(description).argument('<backfill_id>', 'the id', idArg)).action(
      async (id: number, options: WithOutput) => {
        await withAppContext(async (ctx) => {
          const b =
            name === 'cancel'
              ? await cancelBackfillByHand(ctx, id)
              : await setBackfillPausedByHand(ctx, id, name === 'pause');
          if (isStructured(options.output)) printObject(cliBackfillJson(ctx, b), options.output);
          else printLine(`Backfill ${id} of DAG '${b.dagId}': ${name === 'cancel' ? 'cancelled' : name + 'd'}`);
        });
      },
    );
  }
}
