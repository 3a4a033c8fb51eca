import { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors';
import { emitDatasetEvent, listDatasets } from '../../services/datasets';
import { cliActor, withAppContext } from '../cli-context';
import { printLine, printObject, printRows, withOutputOption, type OutputFormat } from '../output';

/** `--extra '{"rows": 3}'`: a JSON object, or exit 2 naming the problem. */
function parseExtra(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`--extra must be a JSON object, got ${JSON.stringify(text)} (not valid JSON)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError(`--extra must be a JSON object, got ${JSON.stringify(text)}`);
  return value as Record<string, unknown>;
}

export function registerDatasetCommands(program: Command): void {
  const datasets = program
    .command('datasets')
    .description('datasets: list them, or record an update from outside (data-aware scheduling)');

  withOutputOption(datasets.command('list').description('list datasets with their producers and consumers')).action(
    async (options: { output: OutputFormat }) => {
      await withAppContext(async (ctx) => {
        const rows = (await listDatasets(ctx)).map((d) => ({
          uri: d.uri,
          producing_tasks: options.output === 'table' ? d.producingTasks.join(', ') : d.producingTasks,
          consuming_dags: options.output === 'table' ? d.consumingDags.join(', ') : d.consumingDags,
          last_event: d.lastEventAt,
        }));
        printRows(rows, options.output, ['uri', 'producing_tasks', 'consuming_dags', 'last_event']);
      });
    },
  );

  withOutputOption(
    datasets
      .command('emit')
      .description('record an update of a dataset; the DAGs scheduled on it run once all their datasets were updated')
      .argument('<uri>', 'the dataset URI, as a DAG names it')
      .option('--extra <json>', 'a JSON object stored with the event'),
  ).action(async (uri: string, options: { extra?: string; output: OutputFormat }) => {
    const extra = parseExtra(options.extra);
    await withAppContext(async (ctx) => {
      const event = await emitDatasetEvent(ctx, { uri, extra, actor: cliActor() });
      if (options.output === 'table') printLine(`Dataset event ${event.id} recorded for ${uri} at ${event.timestamp}`);
      else
        printObject(
          {
            id: event.id,
            dataset_id: event.datasetId,
            dataset_uri: uri,
            extra: event.extra,
            timestamp: event.timestamp,
          },
          options.output,
        );
    });
  });
}
