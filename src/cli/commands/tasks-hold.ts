import type { Command } from 'commander';
import { holdTask, resumeTask, TaskInstanceHoldResult } from '../../services/hold-task-instance';
import { cliActor, withAppContext } from '../cli-context';
import { printLine, printObject, withOutputOption, type OutputFormat } from '../output';
import { parseIntArg } from '../parse-args';

type HoldOptions = { output: OutputFormat; mapIndex: number; reason?: string };

function holdJson(result: TaskInstanceHoldResult): Record<string, unknown> {
  return {
    dag_id: result.dagId,
    task_id: result.taskId,
    run_id: result.runId,
    map_index: result.mapIndex,
    state: result.state,
    held: result.held,
    held_by: result.heldBy,
    hold_reason: result.holdReason,
    changed: result.changed,
  };
}

function withKeyArguments(command: Command): Command {
  return command
    .argument('<dag_id>')
    .argument('<task_id>')
    .argument('<run_id>')
    .option('--map-index <n>', 'map index of a mapped task', (v) => parseIntArg(v, '--map-index', -1), -1);
}

/** `tasks hold` / `tasks resume`: keep one not-yet-queued task instance out of the queue, or let it go. */
export function registerHoldCommands(tasks: Command): void {
  withOutputOption(
    withKeyArguments(
      tasks
        .command('hold')
        .description('keep a task instance that is not queued yet from being queued; the rest of the run goes on'),
    ).option('--reason <text>', 'why it is held (shown by tasks failed-deps, the API and the UI)'),
  ).action(async (dagId: string, taskId: string, runId: string, options: HoldOptions) => {
    await withAppContext(async (ctx) => {
      const key = { dagId, taskId, runId, mapIndex: options.mapIndex };
      const result = await holdTask(ctx, key, { reason: options.reason, actor: cliActor() });
      if (options.output === 'table')
        printLine(`Task instance '${taskId}' of run '${runId}' held${result.changed ? '' : ' (no change)'}`);
      else printObject(holdJson(result), options.output);
    });
  });

  withOutputOption(
    withKeyArguments(tasks.command('resume').description('release a held task instance: the scheduler queues it')),
  ).action(async (dagId: string, taskId: string, runId: string, options: HoldOptions) => {
    await withAppContext(async (ctx) => {
      const key = { dagId, taskId, runId, mapIndex: options.mapIndex };
      const result = await resumeTask(ctx, key, { actor: cliActor() });
      if (options.output === 'table')
        printLine(
          `Task instance '${taskId}' of run '${runId}' ${result.changed ? 'resumed' : 'was not held (no change)'}`,
        );
      else printObject(holdJson(result), options.output);
    });
  });
}
