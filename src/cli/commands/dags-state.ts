import type { Command } from 'commander';
import { extraSensitiveWords } from '../../core/sensitive-names';
import { withAppContext } from '../cli-context';
import { dagRunJson } from '../json-shapes';
import { isStructured, printData, printLine, withOutputOption, type OutputFormat } from '../output';
import { resolveRunOrDate } from '../run-or-date';

/**
 * `dagctl dags state DAG_ID LOGICAL_DATE_OR_RUN_ID`: the run's state, as Airflow prints it — the
 * bare state, or `None` for a date no run has (exit 0, as Airflow). Not a date nor a run id: exit 2.
 */
export function addDagStateCommand(dags: Command): void {
  withOutputOption(
    dags
      .command('state')
      .description("print a DAG run's state (None when no run has that logical date)")
      .argument('<dag_id>')
      .argument('<logical_date_or_run_id>'),
  ).action(async (dagId: string, runOrDate: string, options: { output: OutputFormat }) => {
    await withAppContext(async (ctx) => {
      const { run } = await resolveRunOrDate(ctx, dagId, runOrDate);
      if (isStructured(options.output)) {
        const words = extraSensitiveWords(ctx.config.core.sensitive_var_conn_names);
        printData(run ? dagRunJson(run, words) : null, options.output);
      } else printLine(run?.state ?? 'None');
    });
  });
}
