import { Command } from 'commander';
import { InvalidArgumentError, NotFoundError } from '../../core/errors';
import { clearTaskInstances } from '../../services/clear-task-instances';
import { requireSerializedDag } from '../../db/reads/read-serialized-dag';
import { requireDagRun } from '../../services/require-dag';
import { runTaskInstance } from '../../services/run-task-instance';
import { taskInstanceFailedDeps } from '../../services/task-instance-failed-deps';
import { taskInstanceStates } from '../../services/task-instance-states';
import { testTask } from '../../services/test-task';
import { renderTask } from '../../services/render-task';
import { findDagRun } from '../../db/reads/dag-run-reads';
import { cliActor, withAppContext } from '../cli-context';
import { stopHandRunOnSignals } from '../hand-run-signals';
import { ensureDagsParsed } from '../ensure-dags-parsed';
import { registerHoldCommands } from './tasks-hold';
import { taskInstanceJson } from '../json-shapes';
import {
  isStructured,
  printData,
  printLine,
  printObject,
  printRows,
  withOutputOption,
  type OutputFormat,
} from '../output';
import { parseConfArg, parseDateArg, parseIntArg } from '../parse-args';
import { requireRunOrDate, resolveRunOrDate } from '../run-or-date';

type WithOutput = { output: OutputFormat };

function registerInspectCommands(tasks: Command): void {
  withOutputOption(
    tasks.command('list').description('list the tasks of a DAG in dependency order').argument('<dag_id>'),
  ).action(async (dagId: string, options: WithOutput) => {
    await withAppContext(async (ctx) => {
      // From the stored DAG only: never waits on a DAG file's import.
      const { dag } = await requireSerializedDag(ctx.dataSource, dagId);
      const rows = dag.tasks.map((t) => ({
        task_id: t.taskId,
        operator: t.operator,
        upstream: t.upstream,
        downstream: t.downstream,
        trigger_rule: t.triggerRule,
        retries: t.retries,
        pool: t.pool,
        queue: t.queue,
      }));
      if (options.output === 'table') rows.forEach((row) => printLine(row.task_id));
      else printRows(rows, options.output, ['task_id', 'operator']);
    });
  });

  withOutputOption(
    tasks
      .command('states-for-dag-run')
      .description('the state of every task instance of a DAG run')
      .argument('<dag_id>')
      .argument('<run_id>'),
  ).action(async (dagId: string, runId: string, options: WithOutput) => {
    await withAppContext(async (ctx) => {
      const rows = await taskInstanceStates(ctx, dagId, runId);
      printRows(rows.map(taskInstanceJson), options.output, [
        'dag_id',
        'run_id',
        'task_id',
        'map_index',
        'state',
        'try_number',
        'start_date',
        'end_date',
      ]);
    });
  });
}

function registerStateCommand(tasks: Command): void {
  withOutputOption(
    tasks
      .command('state')
      .description('the state of one task instance')
      .argument('<dag_id>')
      .argument('<task_id>')
      .argument('<logical_date_or_run_id>')
      .option('--map-index <n>', 'map index of a mapped task', (v) => parseIntArg(v, '--map-index', -1), -1),
  ).action(async (dagId: string, taskId: string, runOrDate: string, options: WithOutput & { mapIndex: number }) => {
    await withAppContext(async (ctx) => {
      const run = await requireRunOrDate(ctx, dagId, runOrDate);
      const ti = (await taskInstanceStates(ctx, dagId, run.runId)).find(
        (row) => row.taskId === taskId && row.mapIndex === options.mapIndex,
      );
      if (!ti)
        throw new NotFoundError(
          `task instance ${dagId}.${taskId} (map index ${options.mapIndex}) of run '${run.runId}' not found`,
        );
      // Airflow prints the bare state ("None" when it has none).
      if (options.output === 'table' || options.output === 'plain') printLine(ti.state ?? 'None');
      else printData(taskInstanceJson(ti), options.output);
    });
  });
}

function registerFailedDepsCommand(tasks: Command): void {
  withOutputOption(
    tasks
      .command('failed-deps')
      .description('why a task instance is not running: each scheduling rule it does not meet, with its reason')
      .argument('<dag_id>')
      .argument('<task_id>')
      .argument('<run_id>'),
  ).action(async (dagId: string, taskId: string, runId: string, options: WithOutput) => {
    await withAppContext(async (ctx) => {
      const result = await taskInstanceFailedDeps(ctx, { dagId, taskId, runId });
      if (isStructured(options.output)) {
        printData(
          {
            dag_id: dagId,
            task_id: taskId,
            run_id: runId,
            state: result.state,
            failed_deps: result.failedDeps.map((dep) => ({ name: dep.name, reason: dep.reason })),
          },
          options.output,
        );
        return;
      }
      // Like Airflow's: one line per failing rule, or a line saying there is none.
      if (result.failedDeps.length === 0 && options.output === 'table')
        printLine('Task instance dependencies are all met.');
      for (const dep of result.failedDeps)
        printLine(options.output === 'plain' ? `${dep.name}\t${dep.reason}` : `${dep.name}: ${dep.reason}`);
    });
  });
}

function registerRenderCommand(tasks: Command): void {
  withOutputOption(
    tasks
      .command('render')
      .description("print a task's templated fields, rendered for a run (or a logical date), without running it")
      .argument('<dag_id>')
      .argument('<task_id>')
      .argument('[run_id_or_logical_date]', 'a run id of the DAG, or a logical date (default now)'),
  ).action(async (dagId: string, taskId: string, runOrDate: string | undefined, options: WithOutput) => {
    await withAppContext(async (ctx) => {
      await ensureDagsParsed(ctx, dagId);
      // A run id wins; anything else must be a date.
      const isRun = runOrDate !== undefined && (await findDagRun(ctx.dataSource, dagId, runOrDate)) !== null;
      const result = await renderTask(ctx, {
        dagId,
        taskId,
        runId: isRun ? runOrDate : undefined,
        logicalDate: !isRun && runOrDate !== undefined ? parseDateArg(runOrDate, 'run id or logical date') : undefined,
      });
      if (options.output !== 'table') {
        printObject(result.fields, options.output);
        return;
      }
      // Airflow's layout: a banner per field, then its rendered value.
      const rule = `# ${'-'.repeat(58)}`;
      for (const [field, value] of Object.entries(result.fields)) {
        printLine(`${rule}\n# property: ${field}\n${rule}`);
        printLine(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
        printLine('');
      }
    });
  });
}

function registerRunCommands(tasks: Command): void {
  tasks
    .command('test')
    .description('run one task for a logical date in this process, without recording anything')
    .argument('<dag_id>')
    .argument('<task_id>')
    .argument('[logical_date_or_run_id]', "a logical date, or a run's id for its date and conf (default now)")
    .option('--map-index <n>', 'map index of a mapped task', (v) => parseIntArg(v, '--map-index', -1), -1)
    .option('-t, --task-params <json>', "JSON object merged over the DAG's params for this test", (v) =>
      parseConfArg(v, '--task-params'),
    )
    .action(
      async (
        dagId: string,
        taskId: string,
        date: string | undefined,
        options: { mapIndex: number; taskParams?: Record<string, unknown> },
      ) => {
        await withAppContext(async (ctx) => {
          await ensureDagsParsed(ctx, dagId);
          const resolved = date !== undefined ? await resolveRunOrDate(ctx, dagId, date) : null;
          const outcome = await testTask(ctx, {
            dagId,
            taskId,
            logicalDate: resolved?.logicalDate ?? ctx.clock.now(),
            conf: resolved?.run?.conf ?? undefined,
            taskParams: options.taskParams,
            mapIndex: options.mapIndex,
          });
          const returned = outcome.xcoms?.return_value;
          const index = options.mapIndex >= 0 ? `[${options.mapIndex}]` : '';
          printLine(
            `Task ${dagId}.${taskId}${index}: ${outcome.state}${outcome.reason ? ` (${outcome.reason})` : ''}` +
              (returned !== undefined ? `; returned ${JSON.stringify(returned)}` : ''),
          );
          if (outcome.state === 'failed') process.exitCode = 1;
        });
      },
    );

  withOutputOption(
    tasks
      .command('run')
      .description('run one try of a task instance of an existing DAG run and record its outcome')
      .argument('<dag_id>')
      .argument('<task_id>')
      .argument('<run_id>')
      .option('--try <n>', 'the try number (default: the queued try, else the next one)', (v) =>
        parseIntArg(v, '--try', 1),
      )
      .option('--map-index <n>', 'map index of a mapped task', (v) => parseIntArg(v, '--map-index', -1), -1)
      .option('-f, --force', 'run even if the task instance already finished'),
  ).action(
    async (
      dagId: string,
      taskId: string,
      runId: string,
      options: WithOutput & { try?: number; mapIndex: number; force?: boolean },
    ) => {
      await withAppContext(
        async (ctx) => {
          await requireDagRun(ctx.dataSource, dagId, runId);
          const stop = stopHandRunOnSignals();
          const result = await runTaskInstance(ctx, {
            key: { dagId, runId, taskId, mapIndex: options.mapIndex },
            tryNumber: options.try,
            force: options.force,
            tee: !isStructured(options.output),
            signal: stop.signal,
          }).finally(() => stop.dispose());
          const summary = {
            dag_id: dagId,
            run_id: runId,
            task_id: taskId,
            try_number: result.tryNumber,
            outcome: result.outcome.state,
            state: result.state,
            reason: result.outcome.reason ?? null,
          };
          if (options.output === 'table')
            printLine(
              `Task ${dagId}.${taskId} (${runId}) try ${result.tryNumber}: ${result.outcome.state}` +
                `${result.outcome.reason ? ` (${result.outcome.reason})` : ''}; state now ${result.state}`,
            );
          else printObject(summary, options.output);
          if (result.outcome.state === 'failed') process.exitCode = 1;
        },
        { quiet: false },
      );
    },
  );

  withOutputOption(
    tasks
      .command('clear')
      .description('clear task instances so the scheduler runs them again')
      .argument('<dag_id>')
      .option('-t, --task-regex <regex>', 'only tasks whose id matches this regular expression')
      .option('-s, --start-date <date>', 'only runs with a logical date on or after this')
      .option('-e, --end-date <date>', 'only runs with a logical date on or before this')
      .option('--run-id <run_id>', 'only this run')
      // Airflow's -r: not a run id (a user's `-r` keeps its Airflow meaning).
      .option('-r, --only-running', 'only running task instances')
      .option('-d, --downstream', 'also clear the tasks downstream of the matching ones')
      .option('-u, --upstream', 'also clear the tasks upstream of the matching ones')
      .option('-f, --only-failed', 'only failed and upstream_failed task instances')
      .option('-y, --yes', 'do not ask: clear'),
  ).action(
    async (
      dagId: string,
      options: WithOutput & {
        taskRegex?: string;
        startDate?: string;
        endDate?: string;
        runId?: string;
        downstream?: boolean;
        upstream?: boolean;
        onlyFailed?: boolean;
        onlyRunning?: boolean;
        yes?: boolean;
      },
    ) => {
      const startDate = options.startDate !== undefined ? parseDateArg(options.startDate, 'start date') : undefined;
      const endDate = options.endDate !== undefined ? parseDateArg(options.endDate, 'end date') : undefined;
      await withAppContext(async (ctx) => {
        const result = await clearTaskInstances(ctx, {
          dagId,
          taskRegex: options.taskRegex,
          startDate,
          endDate,
          runId: options.runId,
          downstream: options.downstream,
          upstream: options.upstream,
          onlyFailed: options.onlyFailed,
          onlyRunning: options.onlyRunning,
          dryRun: !options.yes,
          actor: cliActor(),
        });
        if (!options.yes) {
          printRows(
            result.cleared.map((ti) => ({ dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, state: ti.state })),
            isStructured(options.output) ? options.output : 'table',
          );
          throw new InvalidArgumentError(
            `would clear ${result.cleared.length} task instance(s): pass --yes to clear them`,
          );
        }
        if (isStructured(options.output)) {
          printData(
            {
              cleared: result.cleared.map((ti) => ({
                dag_id: ti.dagId,
                run_id: ti.runId,
                task_id: ti.taskId,
                map_index: ti.mapIndex,
                previous_state: ti.state,
              })),
              cleared_count: result.clearedCount,
              restarting: result.restarting.map((ti) => ({
                dag_id: ti.dagId,
                run_id: ti.runId,
                task_id: ti.taskId,
                state: ti.state,
              })),
              runs_requeued: result.runsRequeued,
            },
            options.output,
          );
          return;
        }
        printLine(
          `Cleared ${result.clearedCount} task instance(s) of DAG '${dagId}'; ` +
            `${result.runsRequeued} run(s) queued again`,
        );
        if (result.restarting.length > 0)
          printLine(
            `${result.restarting.length} queued or running task instance(s) restarting: ` +
              'their tries are stopped, then they run again',
          );
      });
    },
  );
}

export function registerTaskCommands(program: Command): void {
  const tasks = program.command('tasks').description('list, render, run, test and clear tasks');
  registerInspectCommands(tasks);
  registerStateCommand(tasks);
  registerFailedDepsCommand(tasks);
  registerRenderCommand(tasks);
  registerRunCommands(tasks);
  registerHoldCommands(tasks);
}
