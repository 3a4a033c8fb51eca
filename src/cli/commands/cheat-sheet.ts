import type { Command } from 'commander';
import { printLine, printRows, withOutputOption, type OutputFormat } from '../output';

/** Every runnable command under `command`, with its usage and description, in tree order. */
function leafCommands(command: Command, prefix: string): Array<{ command: string; description: string }> {
  return command.commands.flatMap((sub) => {
    const name = `${prefix} ${sub.name()}`.trim();
    if (sub.commands.length > 0) return leafCommands(sub, name);
    const usage = sub
      .usage()
      .replace(/\[options\]\s*/, '')
      .trim();
    return [{ command: `dagctl ${name}${usage ? ` ${usage}` : ''}`, description: sub.description() }];
  });
}

/** `dagctl cheat-sheet`: all commands on one screen, as Airflow's. */
export function registerCheatSheetCommand(program: Command, wholeTree: () => Command): void {
  withOutputOption(program.command('cheat-sheet').description('list every command with a one-line description')).action(
    async (options: { output: OutputFormat }) => {
      // The whole tree (this process loaded only the cheat-sheet group); given by program.ts,
      // so this module does not import it back.
      const rows = leafCommands(wholeTree(), '');
      if (options.output !== 'table') {
        printRows(rows, options.output, ['command', 'description']);
        return;
      }
      const width = Math.max(...rows.map((row) => row.command.length));
      for (const row of rows) printLine(`${row.command.padEnd(width)}  ${row.description}`);
    },
  );
}
