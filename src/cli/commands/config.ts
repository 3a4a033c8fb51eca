import { Command } from 'commander';
import { NotFoundError } from '../../core/errors';
import { keySpec } from '../../config/config-schema';
import { configValueText, describeConfig } from '../../config/describe-config';
import { loadConfig } from '../../config/load-config';
import { printLine, printRows, withOutputOption, type OutputFormat } from '../output';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('show the resolved configuration');

  withOutputOption(config.command('list').description('every setting with its resolved value (secrets masked)')).action(
    async (options: { output: OutputFormat }) => {
      const loaded = loadConfig();
      const rows = describeConfig(loaded);
      if (options.output === 'table') {
        printLine(`# DAGCTL_HOME=${loaded.home}${loaded.configFile ? `, config file ${loaded.configFile}` : ''}`);
        let section = '';
        for (const row of rows) {
          if (row.section !== section) {
            section = row.section;
            printLine(`[${section}]`);
          }
          const value = typeof row.value === 'string' ? row.value : JSON.stringify(row.value);
          printLine(`${row.key} = ${value}${row.note ? `  # ${row.note}` : ''}`);
        }
        return;
      }
      printRows(rows as unknown as Array<Record<string, unknown>>, options.output, ['section', 'key', 'value']);
    },
  );

  config
    .command('get-value')
    .description('print one setting')
    .argument('<section>')
    .argument('<key>')
    .action(async (section: string, key: string) => {
      const spec = keySpec(section.toLowerCase(), key.toLowerCase());
      if (!spec) throw new NotFoundError(`config option '${section}.${key}' not found`);
      const loaded = loadConfig() as unknown as Record<string, Record<string, unknown>>;
      const value = configValueText(spec, loaded[section.toLowerCase()][key.toLowerCase()]);
      printLine(typeof value === 'string' ? value : JSON.stringify(value));
    });
}
