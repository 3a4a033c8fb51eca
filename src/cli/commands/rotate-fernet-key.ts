import { Command } from 'commander';
import { rotateFernetKey } from '../../services/rotate-fernet-key';
import { withAppContext } from '../cli-context';
import { isStructured, printData, printLine, withOutputOption, type OutputFormat } from '../output';

export function registerRotateFernetKeyCommand(program: Command): void {
  withOutputOption(
    program
      .command('rotate-fernet-key')
      .description('re-encrypt every connection and variable with the first key of core.fernet_key'),
  ).action(async (options: { output: OutputFormat }) => {
    await withAppContext(async (ctx) => {
      const counts = await rotateFernetKey(ctx.dataSource);
      if (isStructured(options.output)) {
        printData({ connections: counts.connection, variables: counts.variable }, options.output);
        return;
      }
      printLine(
        `Re-encrypted ${counts.connection} connection(s) and ${counts.variable} variable(s) with the first key ` +
          'of core.fernet_key; once every dagctl process has the new list, the old keys can be removed from it',
      );
    });
  });
}
