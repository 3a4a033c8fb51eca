import { Command } from 'commander';
import { printJson, printLine, withOutputOption, type OutputFormat } from '../output';
import { packageVersion } from '../package-version';

export function registerVersionCommand(program: Command): void {
  withOutputOption(program.command('version').description('print the dagctl version')).action(
    (options: { output: OutputFormat }) => {
      if (options.output === 'json') printJson({ version: packageVersion(), node: process.version });
      else printLine(packageVersion());
    },
  );
}
