import type { Command } from 'commander';
import { errorMessage, InvalidArgumentError } from '../../core/errors';
import { listPools, setPool } from '../../services/pools';
import { withAppContext } from '../cli-context';
import { readTransferFile, writeTransferFile } from '../transfer-file';
import { printLine } from '../output';

interface PoolSpec {
  name: string;
  slots: number;
  description: string | null;
}

/**
 * Airflow's pool file: `{"name": {"slots": 4, "description": "…", "include_deferred": false}}`.
 * Every entry is checked before any is stored, so a bad file changes nothing.
 */
export function parsePoolFile(text: string, file: string): PoolSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${file} is not valid JSON: ${errorMessage(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError(`${file}: expected an object of {"pool": {"slots": N, "description": "…"}}`);
  return Object.entries(value as Record<string, unknown>).map(([name, spec]) => {
    const entry = (spec ?? {}) as { slots?: unknown; description?: unknown };
    if (typeof spec !== 'object' || spec === null || !Number.isInteger(entry.slots) || (entry.slots as number) < 0)
      throw new InvalidArgumentError(`${file}: pool '${name}' needs "slots", a whole number of at least 0`);
    if (entry.description !== undefined && entry.description !== null && typeof entry.description !== 'string')
      throw new InvalidArgumentError(`${file}: pool '${name}': "description" must be a string`);
    return { name, slots: entry.slots as number, description: (entry.description as string | undefined) ?? null };
  });
}

export function addPoolTransferCommands(pools: Command): void {
  pools
    .command('import')
    .description("create or update pools from a JSON file in Airflow's format (- for stdin)")
    .argument('<file>')
    .action(async (file: string) => {
      const specs = parsePoolFile(readTransferFile(file), file);
      await withAppContext(async (ctx) => {
        for (const spec of specs) await setPool(ctx, spec);
        printLine(`Imported ${specs.length} pool(s) from ${file}`);
      });
    });

  pools
    .command('export')
    .description("write every pool to a JSON file in Airflow's format (- for stdout)")
    .argument('<file>')
    .action(async (file: string) => {
      await withAppContext(async (ctx) => {
        const pools = await listPools(ctx);
        const out = Object.fromEntries(
          pools.map((p) => [p.name, { slots: p.slots, description: p.description ?? '', include_deferred: false }]),
        );
        const text = `${JSON.stringify(out, null, 2)}\n`;
        writeTransferFile(file, text, `Exported ${pools.length} pool(s) to ${file}`);
      });
    });
}
