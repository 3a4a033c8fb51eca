import { Command, Option } from 'commander';
import { DagRunState } from '../../core/states';
import { InvalidArgumentError } from '../../core/errors';
import { deleteDag } from '../../services/delete-dag';
import { listDagRuns } from '../../services/list-dag-runs';
import { listDags } from '../../services/list-dags';
import { listImportErrors } from '../../services/list-import-errors';
import { requireSerializedDag } from '../../db/reads/read-serialized-dag';
import { setDagPaused } from '../../services/set-dag-paused';
import { extraSensitiveWords } from '../../core/sensitive-names';
import { cliActor, withAppContext } from '../cli-context';
import { ensureDagsParsed } from '../ensure-dags-parsed';
import { dagJson, dagRunJson } from '../json-shapes';
import { nextExecutions } from '../next-executions';
import {
  isoOrNull,
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
import { testDag } from '../parts';
import { printDagTestSummary } from '../dag-test-summary';
import { renderDagEdges, renderDagTree, renderTaskGroups } from '../render-dag-tree';
import { addDagsBackfillCommand } from './backfill';
import { addCheckCommand } from './dags-check';
import { addReserializeCommand } from './dags-reserialize';
import { addTriggerCommand } from './trigger';
import { resolveRunOrDate } from '../run-or-date';
import { addDagStateCommand } from './dags-state';
import { addDagReportCommands } from './dags-report';

type WithOutput = { output: OutputFormat };

function registerListCommands(dags: Command): void {
  // Listing and showing read what the DAG processor stored, never importing a DAG file: one slow
  // or hanging file must not make them wait (`dags reserialize` parses on demand).
  withOutputOption(dags.command('list').description('list the DAGs parsed from the dags folder')).action(
    async (options: WithOutput) => {
      await withAppContext(async (ctx) => {
        const { dags: rows } = await listDags(ctx);
        printRows(rows.map(dagJson), options.output, ['dag_id', 'fileloc', 'is_paused', 'schedule', 'next_dagrun']);
        const errors = (await listImportErrors(ctx)).length;
        if (errors > 0) printWarning(`${errors} DAG file(s) failed to import: see 'dagctl dags list-import-errors'`);
        if (rows.length === 0 && errors === 0)
          printWarning("no DAG parsed yet: start the scheduler, or run 'dagctl dags reserialize' to parse now");
      });
    },
  );

  withOutputOption(
    dags
      .command('list-runs')
      .description('list the runs of a DAG, newest first')
      .requiredOption('-d, --dag-id <dag_id>', 'the DAG')
      // A misspelt state would otherwise match nothing and look like "no runs".
      .addOption(new Option('--state <state>', 'only runs in this state').choices(Object.values(DagRunState)))
      .option('-s, --start-date <date>', 'only runs with a logical date on or after this', (v) =>
        parseDateArg(v, 'start date'),
      )
      .option('-e, --end-date <date>', 'only runs with a logical date on or before this', (v) =>
        parseDateArg(v, 'end date'),
      )
      .option('--no-backfill', 'leave out backfill runs (Airflow flag)')
      .option('--limit <n>', 'at most this many runs', (v) => parseIntArg(v, '--limit', 1)),
  ).action(
    async (
      options: WithOutput & {
        dagId: string;
        state?: string;
        startDate?: Date;
        endDate?: Date;
        backfill: boolean;
        limit?: number;
      },
    ) => {
      await withAppContext(async (ctx) => {
        const listed = await listDagRuns(ctx, {
          dagId: options.dagId,
          states: options.state ? [options.state] : undefined,
          logicalDateGte: options.startDate,
          logicalDateLte: options.endDate,
          limit: options.limit,
        });
        const runs = options.backfill ? listed.runs : listed.runs.filter((run) => run.runType !== 'backfill');
        const { deadlines } = listed;
        const words = extraSensitiveWords(ctx.config.core.sensitive_var_conn_names);
        printRows(
          runs.map((run) => dagRunJson(run, words, deadlines.get(run.runId) ?? null)),
          options.output,
          ['dag_id', 'run_id', 'state', 'run_type', 'logical_date', 'start_date', 'end_date'],
        );
      });
    },
  );

  withOutputOption(
    dags.command('list-import-errors').description('list DAG files that failed to import, with the reason'),
  ).action(async (options: WithOutput) => {
    await withAppContext(async (ctx) => {
      const errors = await listImportErrors(ctx);
      printRows(
        errors.map((e) => ({ filename: e.filename, error: e.error, timestamp: isoOrNull(e.timestamp) })),
        options.output,
        ['filename', 'error'],
      );
    });
  });

  withOutputOption(
    dags
      .command('next-execution')
      .description('the logical dates of the next scheduled runs')
      .argument('<dag_id>')
      .option('-n, --num-executions <n>', 'how many', (v) => parseIntArg(v, '--num-executions', 1, 1000), 1),
  ).action(async (dagId: string, options: WithOutput & { numExecutions: number }) => {
    await withAppContext(async (ctx) => {
      const { paused, runs } = await nextExecutions(ctx, dagId, options.numExecutions);
      if (paused) printWarning(`DAG '${dagId}' is paused: no run is created until it is unpaused`);
      const rows = runs.map((run) => ({
        logical_date: run.logicalDate.toISOString(),
        data_interval_start: run.dataInterval.start.toISOString(),
        data_interval_end: run.dataInterval.end.toISOString(),
        run_after: run.runAfter.toISOString(),
      }));
      if (isStructured(options.output)) printData(rows, options.output);
      else if (rows.length === 0) printLine('None');
      else rows.forEach((row) => printLine(row.logical_date));
    });
  });
}

function registerStateCommands(dags: Command): void {
  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    const command = dags.command(name).description(`${name} a DAG`).argument('<dag_id>');
    if (paused)
      command.option('--drain', 'create no new run (manual triggers are refused too) but let the running runs finish');
    withOutputOption(command).action(async (dagId: string, options: WithOutput & { drain?: boolean }) => {
      await withAppContext(async (ctx) => {
        const result = await setDagPaused(ctx, dagId, paused, cliActor(), { drain: options.drain });
        const done = result.isDraining ? 'paused (draining: running runs finish)' : paused ? 'paused' : 'unpaused';
        if (options.output === 'table') printLine(`DAG '${dagId}' ${done}${result.changed ? '' : ' (no change)'}`);
        else
          printObject(
            { dag_id: dagId, is_paused: result.isPaused, is_draining: result.isDraining, changed: result.changed },
            options.output,
          );
      });
    });
  }

  dags
    .command('delete')
    .description('delete a DAG and all its runs from the metadata database (the file stays)')
    .argument('<dag_id>')
    .option('-y, --yes', 'confirm')
    .action(async (dagId: string, options: { yes?: boolean }) => {
      if (!options.yes)
        throw new InvalidArgumentError(`deleting DAG '${dagId}' removes all its history: pass --yes to confirm`);
      await withAppContext(async (ctx) => {
        const result = await deleteDag(ctx, dagId, cliActor());
        printLine(`Deleted DAG '${dagId}' (${result.rowsDeleted} rows)`);
      });
    });
}

function registerRunCommands(dags: Command): void {
  addTriggerCommand(dags);

  withOutputOption(
    dags
      .command('show')
      .description('the graph of a DAG as text: a tree (table), an edge list (plain) or JSON')
      .argument('<dag_id>'),
  ).action(async (dagId: string, options: WithOutput) => {
    await withAppContext(async (ctx) => {
      const { dag } = await requireSerializedDag(ctx.dataSource, dagId);
      if (isStructured(options.output)) {
        printData(
          {
            dag_id: dag.dagId,
            tasks: dag.tasks.map((t) => ({
              task_id: t.taskId,
              operator: t.operator,
              upstream: t.upstream,
              downstream: t.downstream,
              task_group: t.taskGroup ?? null,
              is_setup: t.isSetup === true,
              is_teardown: t.isTeardown === true,
            })),
          },
          options.output,
        );
      } else if (options.output === 'plain') {
        renderDagEdges(dag).forEach((line) => printLine(line));
      } else {
        printLine(`DAG ${dag.dagId}${dag.scheduleText ? ` (schedule ${dag.scheduleText})` : ''}`);
        renderDagTree(dag).forEach((line) => printLine(line));
        const groups = renderTaskGroups(dag);
        if (groups.length > 0) {
          printLine('');
          printLine('Task groups:');
          groups.forEach((line) => printLine(line));
        }
      }
    });
  });

  withOutputOption(
    dags
      .command('test')
      .description('run one whole DAG run in this process, without the scheduler; exit 0 iff it succeeded')
      .argument('<dag_id>')
      .argument(
        '[logical_date_or_run_id]',
        "a logical date, or an existing run's id for its date and conf (default now)",
      )
      .option('-c, --conf <json>', 'JSON object passed as dag_run.conf'),
  ).action(async (dagId: string, date: string | undefined, options: WithOutput & { conf?: string }) => {
    let conf = options.conf !== undefined ? parseConfArg(options.conf) : undefined;
    await withAppContext(async (ctx) => {
      await ensureDagsParsed(ctx, dagId);
      let logicalDate: Date | undefined;
      if (date !== undefined) {
        const resolved = await resolveRunOrDate(ctx, dagId, date);
        if (resolved.run && resolved.run.runId === date) {
          // A DAG has one run per logical date, and the test must not overwrite history (Airflow
          // deletes the old run): replay that run's conf, unless -c is given, at the current time.
          conf ??= resolved.run.conf ?? undefined;
          printWarning(`testing with the conf of run '${date}' at the current time (that run is left as it is)`);
        } else logicalDate = resolved.logicalDate ?? undefined;
      }
      // Task log lines are echoed as they are written, except when stdout must be JSON/YAML only.
      const result = await testDag(ctx, dagId, { logicalDate, conf, echo: !isStructured(options.output) });
      if (isStructured(options.output)) {
        printData(result, options.output);
      } else {
        printLine('');
        printDagTestSummary(result, options.output);
        printLine(`DAG run ${result.run_id} of ${result.dag_id}: ${result.state}`);
      }
      if (result.state !== 'success') process.exitCode = 1;
    });
  });
}

export function registerDagCommands(program: Command): void {
  const dags = program.command('dags').description('list, inspect, pause, trigger and test DAGs');
  registerListCommands(dags);
  addReserializeCommand(dags);
  addCheckCommand(dags);
  registerStateCommands(dags);
  registerRunCommands(dags);
  addDagsBackfillCommand(dags);
  addDagStateCommand(dags);
  addDagReportCommands(dags);
}
