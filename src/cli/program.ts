import { Command } from 'commander';
import { packageVersion } from './package-version';

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

/** The whole `dagctl` command tree. Settings made here are inherited by every subcommand. */
type Register = (program: Command) => void;

/* eslint-disable @typescript-eslint/no-require-imports -- loading on demand is the point */
/**
 * Command groups by their top-level names, loaded on demand: a command pulls in only its own
 * modules (the ORM, the runner, the web server…), so `dagctl version` starts in milliseconds.
 * Each require() is typed by its module (`typeof import`): a renamed export fails to compile.
 */
const GROUPS: Array<{ names: string[]; load: () => Register }> = [
  {
    names: ['initdb', 'db'],
    load: () => (require('./commands/db') as typeof import('./commands/db')).registerDbCommands,
  },
  {
    names: ['standalone'],
    load: () => (require('./commands/standalone') as typeof import('./commands/standalone')).registerStandaloneCommand,
  },
  {
    names: ['scheduler'],
    load: () => (require('./commands/scheduler') as typeof import('./commands/scheduler')).registerSchedulerCommand,
  },
  {
    names: ['webserver'],
    load: () => (require('./commands/webserver') as typeof import('./commands/webserver')).registerWebserverCommand,
  },
  {
    names: ['worker'],
    load: () => (require('./commands/worker') as typeof import('./commands/worker')).registerWorkerCommand,
  },
  {
    names: ['trigger'],
    load: () => (require('./commands/trigger') as typeof import('./commands/trigger')).registerTriggerCommand,
  },
  { names: ['dags'], load: () => (require('./commands/dags') as typeof import('./commands/dags')).registerDagCommands },
  {
    names: ['tasks'],
    load: () => (require('./commands/tasks') as typeof import('./commands/tasks')).registerTaskCommands,
  },
  {
    names: ['variables'],
    load: () => (require('./commands/variables') as typeof import('./commands/variables')).registerVariableCommands,
  },
  {
    names: ['connections'],
    load: () =>
      (require('./commands/connections') as typeof import('./commands/connections')).registerConnectionCommands,
  },
  {
    names: ['datasets'],
    load: () => (require('./commands/datasets') as typeof import('./commands/datasets')).registerDatasetCommands,
  },
  {
    names: ['backfill'],
    load: () => (require('./commands/backfill') as typeof import('./commands/backfill')).registerBackfillCommands,
  },
  {
    names: ['pools'],
    load: () => (require('./commands/pools') as typeof import('./commands/pools')).registerPoolCommands,
  },
  {
    names: ['users', 'roles'],
    load: () => (program: Command) => {
      (require('./commands/users') as typeof import('./commands/users')).registerUserCommands(program);
      (require('./commands/roles') as typeof import('./commands/roles')).registerRoleCommands(program);
    },
  },
  {
    names: ['config'],
    load: () => (require('./commands/config') as typeof import('./commands/config')).registerConfigCommands,
  },
  {
    names: ['rotate-fernet-key'],
    load: () =>
      (require('./commands/rotate-fernet-key') as typeof import('./commands/rotate-fernet-key'))
        .registerRotateFernetKeyCommand,
  },
  {
    names: ['jobs'],
    load: () => (require('./commands/jobs') as typeof import('./commands/jobs')).registerJobCommands,
  },
  {
    names: ['info'],
    load: () => (require('./commands/info') as typeof import('./commands/info')).registerInfoCommand,
  },
  {
    names: ['cheat-sheet'],
    load: () => (program: Command) =>
      (require('./commands/cheat-sheet') as typeof import('./commands/cheat-sheet')).registerCheatSheetCommand(
        program,
        () => buildProgram(),
      ),
  },
  {
    names: ['version'],
    load: () => (require('./commands/version') as typeof import('./commands/version')).registerVersionCommand,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The first argument that is not an option: the top-level command being run. */
function invokedCommand(argv: string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/** The command tree; with `argv`, only the group that will run (all of them for help or typos). */
export function buildProgram(argv?: string[]): Command {
  const program = new Command('dagctl')
    .description('An Airflow-style DAG scheduler for TypeScript teams')
    .version(packageVersion(), '-V, --version', 'print the dagctl version')
    .option('--verbose', 'print stack traces of errors')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(`${oneLine(text)}\n`) });
  const name = argv ? invokedCommand(argv) : undefined;
  const only = GROUPS.find((group) => name !== undefined && group.names.includes(name));
  for (const group of only ? [only] : GROUPS) group.load()(program);
  return program;
}
