import { Command } from 'commander';
import { deletePool, getPool, listPools, setPool, type PoolRecord } from '../../services/pools';
import { withAppContext } from '../cli-context';
import { isStructured, printLine, printObject, printRows, withOutputOption, type OutputFormat } from '../output';
import { parseIntArg } from '../parse-args';
import { addPoolTransferCommands } from './pools-transfer';

function poolJson(pool: PoolRecord): Record<string, unknown> {
  return {
    pool: pool.name,
    slots: pool.slots,
    description: pool.description,
    occupied_slots: pool.occupiedSlots,
    running_slots: pool.runningSlots,
    queued_slots: pool.queuedSlots,
    open_slots: pool.openSlots,
  };
}

const COLUMNS = ['pool', 'slots', 'running_slots', 'queued_slots', 'open_slots', 'description'];

export function registerPoolCommands(program: Command): void {
  const pools = program.command('pools').description('manage pools, which limit how many tasks run at once');

  withOutputOption(
    pools
      .command('set')
      .description('create or update a pool')
      .argument('<name>')
      .argument('<slots>', 'number of slots')
      .argument('[description]'),
  ).action(
    async (name: string, slotsText: string, description: string | undefined, options: { output: OutputFormat }) => {
      const slots = parseIntArg(slotsText, 'slots', 0);
      await withAppContext(async (ctx) => {
        const pool = await setPool(ctx, { name, slots, description });
        if (options.output === 'table') printLine(`Pool ${name} set to ${pool.slots} slot(s)`);
        else printObject(poolJson(pool), options.output);
      });
    },
  );

  withOutputOption(pools.command('get').description('show a pool and its usage').argument('<name>')).action(
    async (name: string, options: { output: OutputFormat }) => {
      await withAppContext(async (ctx) => {
        const pool = await getPool(ctx, name);
        if (isStructured(options.output)) printObject(poolJson(pool), options.output);
        else printRows([poolJson(pool)], options.output, COLUMNS);
      });
    },
  );

  pools
    .command('delete')
    .description('delete a pool (default_pool cannot be deleted)')
    .argument('<name>')
    .action(async (name: string) => {
      await withAppContext(async (ctx) => {
        await deletePool(ctx, name);
        printLine(`Pool ${name} deleted`);
      });
    });

  withOutputOption(pools.command('list').description('list pools and their usage')).action(
    async (options: { output: OutputFormat }) => {
      await withAppContext(async (ctx) => {
        printRows((await listPools(ctx)).map(poolJson), options.output, COLUMNS);
      });
    },
  );
  addPoolTransferCommands(pools);
}
