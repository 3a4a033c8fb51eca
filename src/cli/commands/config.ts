import { Command } from 'commander';
import { NotFoundError } from '../../core/errors';
import { describeConfig, loadConfig } from '../../config/load-config';
import { printLine, printRows, withOutputOption, type OutputFormat } from '../output';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('show the resolved configuration');

  withOutputOption(config.command('list').description('every setting with its resolved value (secrets masked)')).action(
    async (options: { output: OutputFormat }) => {
      const loaded = loadConfig();
      const rows = describeConfig(loaded).map((row) => ({ section: row.section, key: row.key, value: row.value }));
      if (options.output === 'table') {
        printLine(`# DAGCTL_HOME=${loaded.home}${loaded.configFile ? `, config file ${loaded.configFile}` : ''}`);
        let section = '';
        for (const row of rows) {
          if (row.section !== section) {
            section = row.section;
            printLine(`[${section}]`);
          }
          printLine(`${row.key} = ${typeof row.value === 'string' ? row.value : JSON.stringify(row.value)}`);
        }
        return;
      }
      printRows(rows, options.output, ['section', 'key', 'value']);
    },
  );

  config
    .command('get-value')
    .description('print one setting')
    .argument('<section>')
    .argument('<key>')
    .action(async (section: string, key: string) => {
      const loaded = loadConfig() as unknown as Record<string, unknown>;
      const values = loaded[section.toLowerCase()];
      const name = key.toLowerCase();
      if (typeof values !== 'object' || values === null || !(name in values) || section === 'home') {
        throw new NotFoundError(`config option '${section}.${key}' not found`);
      }
      const value = (values as Record<string, unknown>)[name];
      printLine(typeof value === 'string' ? value : JSON.stringify(value));
    });
}
