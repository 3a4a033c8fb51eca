import { Command } from 'commander';
import { errorMessage, InvalidArgumentError, UserError } from '../../core/errors';
import {
  deleteVariable,
  exportVariables,
  getVariable,
  importVariables,
  listVariables,
  parseVariableJson,
  setVariable,
} from '../../services/variables';
import { variableEnvName, variableFromEnv } from '../../core/env-secrets';
import { extraSensitiveWords, isSensitiveName, MASK } from '../../core/sensitive-names';
import { withAppContext } from '../cli-context';
import { readTransferFile, writeTransferFile } from '../transfer-file';
import { isStructured, printData, printLine, printRows, withOutputOption, type OutputFormat } from '../output';

export function registerVariableCommands(program: Command): void {
  const variables = program.command('variables').description('manage variables ({{ var.value.x }})');

  withOutputOption(
    variables
      .command('get')
      .description(`print the value of a variable (${variableEnvName('<KEY>')} wins over the database)`)
      .argument('<key>')
      .option('-j, --json', 'parse the value as JSON')
      .option('-d, --default <value>', 'print this instead of failing when the variable does not exist'),
  ).action(async (key: string, options: { json?: boolean; default?: string; output: OutputFormat }) => {
    const print = (value: unknown): void => {
      if (isStructured(options.output)) printData({ key, value }, options.output);
      else
        printLine(
          typeof value === 'string' ? value : JSON.stringify(value, null, options.output === 'plain' ? undefined : 2),
        );
    };
    const fromEnv = variableFromEnv(key);
    if (fromEnv !== undefined) {
      print(options.json ? parseVariableJson({ key, value: fromEnv, description: null }) : fromEnv);
      return;
    }
    await withAppContext(async (ctx) => {
      let value: unknown;
      try {
        const record = await getVariable(ctx, key);
        value = options.json ? parseVariableJson(record) : record.value;
      } catch (err) {
        if (options.default === undefined) throw err;
        value = options.default;
      }
      print(value);
    });
  });

  variables
    .command('set')
    .description('create or update a variable')
    .argument('<key>')
    .argument('<value>')
    .option('-j, --json', 'the value is JSON: validate it and store it serialized')
    .option('--description <text>', 'what the variable is for')
    .action(async (key: string, value: string, options: { json?: boolean; description?: string }) => {
      let stored: unknown = value;
      if (options.json) {
        try {
          stored = JSON.parse(value);
        } catch (err) {
          throw new InvalidArgumentError(`invalid JSON value for variable '${key}': ${errorMessage(err)}`);
        }
      }
      await withAppContext(async (ctx) => {
        await setVariable(ctx, key, stored, options.description);
        printLine(`Variable ${key} set`);
      });
    });

  variables
    .command('delete')
    .description('delete a variable')
    .argument('<key>')
    .action(async (key: string) => {
      await withAppContext(async (ctx) => {
        await deleteVariable(ctx, key);
        printLine(`Variable ${key} deleted`);
      });
    });

  withOutputOption(
    variables.command('list').description('list variables (values of sensitive keys shown as ***; `get` shows them)'),
  ).action(async (options: { output: OutputFormat }) => {
    await withAppContext(async (ctx) => {
      const rows = await listVariables(ctx);
      const extraWords = extraSensitiveWords(ctx.config.core.sensitive_var_conn_names);
      printRows(
        rows.map((v) => ({
          key: v.key,
          value: isSensitiveName(v.key, extraWords) ? MASK : v.value,
          description: v.description,
        })),
        options.output,
        ['key', 'value', 'description'],
      );
    });
  });

  variables
    .command('import')
    .description('import variables from a JSON file of { "key": value } (- for stdin)')
    .argument('<file>')
    .action(async (file: string) => {
      let values: unknown;
      try {
        values = JSON.parse(readTransferFile(file));
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new InvalidArgumentError(`${file} is not valid JSON: ${errorMessage(err)}`);
      }
      await withAppContext(async (ctx) => {
        const result = await importVariables(ctx, values);
        printLine(
          `Imported ${result.created + result.updated} variable(s) (${result.created} new, ${result.updated} updated)`,
        );
      });
    });

  variables
    .command('export')
    .description('export every variable to a JSON file (- for stdout)')
    .argument('<file>')
    .action(async (file: string) => {
      await withAppContext(async (ctx) => {
        const values = await exportVariables(ctx);
        const text = `${JSON.stringify(values, null, 2)}\n`;
        writeTransferFile(file, text, `Exported ${Object.keys(values).length} variable(s) to ${file}`);
      });
    });
}
