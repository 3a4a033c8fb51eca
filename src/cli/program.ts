import { Command } from 'commander';
import { registerConfigCommands } from './commands/config';
import { registerConnectionCommands } from './commands/connections';
import { registerDagCommands } from './commands/dags';
import { registerDbCommands } from './commands/db';
import { registerPoolCommands } from './commands/pools';
import { registerSchedulerCommand } from './commands/scheduler';
import { registerStandaloneCommand } from './commands/standalone';
import { registerTaskCommands } from './commands/tasks';
import { registerTriggerCommand } from './commands/trigger';
import { registerUserCommands } from './commands/users';
import { registerVariableCommands } from './commands/variables';
import { registerVersionCommand } from './commands/version';
import { registerWebserverCommand } from './commands/webserver';
import { registerWorkerCommand } from './commands/worker';
import { packageVersion } from './package-version';

function oneLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
}

/** The whole `dagctl` command tree. Settings made here are inherited by every subcommand. */
export function buildProgram(): Command {
  const program = new Command('dagctl')
    .description('An Airflow-style DAG scheduler for TypeScript teams')
    .version(packageVersion(), '-V, --version', 'print the dagctl version')
    .option('--verbose', 'print stack traces of errors')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(`${oneLine(text)}\n`) });
  registerDbCommands(program);
  registerStandaloneCommand(program);
  registerSchedulerCommand(program);
  registerWebserverCommand(program);
  registerWorkerCommand(program);
  registerTriggerCommand(program);
  registerDagCommands(program);
  registerTaskCommands(program);
  registerVariableCommands(program);
  registerConnectionCommands(program);
  registerPoolCommands(program);
  registerUserCommands(program);
  registerConfigCommands(program);
  registerVersionCommand(program);
  return program;
}
