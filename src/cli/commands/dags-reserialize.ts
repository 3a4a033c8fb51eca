import fs from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import { withAppContext } from '../cli-context';
import { printLine, printObject, printWarning, withOutputOption, type OutputFormat } from '../output';

/**
 * `dagctl dags reserialize`: parse the dags folder now and store what it defines, as Airflow's
 * command of that name does. The commands that list and show DAGs only read what the scheduler's
 * DAG processor (or this command) stored: they never wait on a DAG file's import.
 */
export function addReserializeCommand(dags: Command): void {
  withOutputOption(
    dags
      .command('reserialize')
      .description('parse the DAG files of the dags folder now and store their DAGs and import errors'),
  ).action(async (options: { output: OutputFormat }) => {
    await withAppContext(async (ctx) => {
      const folder = ctx.config.core.dags_folder;
      if (!fs.existsSync(folder)) throw new UserError(`dags folder ${folder} does not exist`);
      const { DagProcessorManager } = await import('../../parsing/dag-processor-manager');
      const manager = new DagProcessorManager(ctx);
      try {
        const summary = await manager.parseAll();
        const errors = Object.keys(summary.importErrors).length;
        const result = {
          files_found: summary.filesFound,
          files_parsed: summary.filesParsed,
          files_unchanged: summary.filesUnchanged,
          files_removed: summary.filesRemoved,
          import_errors: errors,
          changed_dag_ids: summary.changedDagIds,
          deactivated_dag_ids: summary.deactivatedDagIds,
        };
        if (options.output === 'table')
          printLine(
            `Parsed ${summary.filesParsed} of ${summary.filesFound} DAG file(s) ` +
              `(${summary.filesUnchanged} unchanged); ${summary.changedDagIds.length} DAG(s) updated`,
          );
        else printObject(result, options.output);
        if (errors > 0) printWarning(`${errors} DAG file(s) failed to import: see 'dagctl dags list-import-errors'`);
      } finally {
        await manager.stop();
      }
    });
  });
}
