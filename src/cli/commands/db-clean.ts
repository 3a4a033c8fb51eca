import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors';
import { CLEANABLE_TABLES, cleanDatabase, parseCleanTables } from '../../services/db-clean';
import { cliActor, withAppContext } from '../cli-context';
import { printLine, printObject, printRows, withOutputOption, type OutputFormat } from '../output';
import { parseDateArg } from '../parse-args';

interface CleanOptions {
  cleanBeforeTimestamp: string;
  tables?: string;
  dryRun?: boolean;
  skipArchive?: boolean;
  yes?: boolean;
  verbose?: boolean;
  output: OutputFormat;
}

/** `dagctl db clean` with Airflow's flags: old finished runs and their rows, audit log, jobs, sessions. */
export function addDbCleanCommand(db: Command): void {
  withOutputOption(
    db
      .command('clean')
      .description('delete rows older than a timestamp (never of queued or running runs), in small batches')
      .requiredOption('--clean-before-timestamp <ts>', 'delete rows older than this (ISO 8601)')
      .option('-t, --tables <list>', `comma-separated, of ${CLEANABLE_TABLES.join(', ')} (default all)`)
      .option('--dry-run', 'only count what would be deleted')
      .option('--skip-archive', 'do not write the deleted rows to the archive folder first')
      .option('-y, --yes', 'do not ask: delete')
      .option('-v, --verbose', 'print the count of every table'),
  ).action(async (options: CleanOptions, command: Command) => {
    // `--verbose` is also dagctl's global flag (stack traces): either place counts.
    const verbose = Boolean(options.verbose ?? command.optsWithGlobals<{ verbose?: boolean }>().verbose);
    const before = parseDateArg(options.cleanBeforeTimestamp, '--clean-before-timestamp');
    const tables = parseCleanTables(options.tables);
    if (!options.dryRun && !options.yes)
      throw new InvalidArgumentError('db clean deletes rows: pass --yes to confirm (or --dry-run to count them)');
    await withAppContext(async (ctx) => {
      const archiveDir = path.join(
        ctx.config.home,
        'archive',
        `db-clean-${ctx.clock.now().toISOString().replace(/[:.]/g, '-')}`,
      );
      const result = await cleanDatabase(ctx, {
        before,
        tables,
        dryRun: options.dryRun,
        skipArchive: options.skipArchive,
        archiveDir,
        actor: cliActor(),
      });
      const rows = Object.entries(result.rows).map(([table, count]) => ({ table, rows: count }));
      if (options.output !== 'table') {
        printObject(
          {
            clean_before_timestamp: before.toISOString(),
            dry_run: Boolean(options.dryRun),
            tables: result.rows,
            archive: result.archive,
          },
          options.output,
        );
        return;
      }
      const total = rows.reduce((sum, row) => sum + row.rows, 0);
      if (verbose || options.dryRun) printRows(rows, 'table', ['table', 'rows']);
      printLine(
        `${options.dryRun ? 'Would delete' : 'Deleted'} ${total} row(s) older than ${before.toISOString()}` +
          (result.archive && total > 0 ? `; archived to ${result.archive}` : ''),
      );
    });
  });
}
