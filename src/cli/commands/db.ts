import { Command } from 'commander';
import { InvalidArgumentError, UserError } from '../../core/errors';
import { migrationStatus, redactUrl } from '../../db/data-source';
import { ensureFernetKey } from '../../services/fernet-key-file';
import { initDatabase, resetDatabase } from '../../services/init-database';
import { withAppContext } from '../cli-context';
import { printLine, printObject, withOutputOption, type OutputFormat } from '../output';
import { addDbCleanCommand } from './db-clean';

async function runInit(): Promise<void> {
  await withAppContext(
    async (ctx) => {
      // Before the migrations: the one that encrypts clear-text secrets needs the key.
      const { generatedInto } = ensureFernetKey(ctx.config);
      if (generatedInto)
        printLine(`Generated core.fernet_key (encrypts connections and variables) in ${generatedInto}`);
      const result = await initDatabase(ctx.dataSource);
      const where = redactUrl(ctx.config.database.url);
      printLine(
        result.applied.length > 0
          ? `Initialized the metadata database at ${where}: ` +
              `applied ${result.applied.length} migration(s) (${result.applied.join(', ')})`
          : `The metadata database at ${where} is up to date`,
      );
      // Like `airflow standalone`: a fresh install gets an admin login, shown once.
      const { ADMIN_PASSWORD_ENV, ensureAdminUser } = await import('../../auth/ensure-admin-user');
      const admin = await ensureAdminUser(ctx, { password: process.env[ADMIN_PASSWORD_ENV] });
      if (admin.passwordGiven) printLine(`Created web user 'admin' with the password in ${ADMIN_PASSWORD_ENV}`);
      else if (admin.created)
        printLine(
          `Created web user 'admin' with password ${admin.password} (also in ${admin.file}, readable only by you)`,
        );
    },
    { allowUnmigrated: true },
  );
}

export function registerDbCommands(program: Command): void {
  program
    .command('initdb')
    .description('initialize the metadata database (= db init); safe to run again')
    .action(runInit);

  const db = program.command('db').description('manage the metadata database');
  db.command('init').description('run migrations and create default_pool; idempotent').action(runInit);
  db.command('migrate').description('apply pending migrations').action(runInit);
  // Airflow 2's name for migrate.
  db.command('upgrade').description('apply pending migrations (= db migrate, as Airflow 2 names it)').action(runInit);
  addDbCleanCommand(db);

  withOutputOption(
    db.command('check').description('check the connection and that no migration is pending (exit 1 if one is)'),
  ).action(async (options: { output: OutputFormat }) => {
    await withAppContext(
      async (ctx) => {
        await ctx.dataSource.query('SELECT 1');
        const status = await migrationStatus(ctx.dataSource);
        printObject(
          {
            database: redactUrl(ctx.config.database.url),
            reachable: true,
            applied: status.applied.length,
            pending: status.pending,
          },
          options.output,
        );
        if (status.pending.length > 0) {
          throw new UserError(`${status.pending.length} pending migration(s): run 'dagctl db migrate'`);
        }
      },
      { allowUnmigrated: true },
    );
  });

  db.command('reset')
    .description('drop every table and migrate again (all data is lost)')
    .option('-y, --yes', 'confirm that all data may be deleted')
    .action(async (options: { yes?: boolean }) => {
      if (!options.yes) throw new InvalidArgumentError('db reset deletes all data: pass --yes to confirm');
      await withAppContext(
        async (ctx) => {
          const result = await resetDatabase(ctx.dataSource);
          printLine(
            `Reset the metadata database at ${redactUrl(ctx.config.database.url)}: ` +
              `applied ${result.applied.length} migration(s)`,
          );
        },
        { allowUnmigrated: true },
      );
    });
}
