import { Command } from 'commander';
import { isStructured, printData, printLine, withOutputOption, type OutputFormat } from '../output';
import { packageVersion } from '../package-version';

export function registerVersionCommand(program: Command): void {
  withOutputOption(program.command('version').description('print the dagctl version')).action(
    (options: { output: OutputFormat }) => {
      if (isStructured(options.output)) printData({ version: packageVersion(), node: process.version }, options.output);
      else printLine(packageVersion());
    },
  );
}
