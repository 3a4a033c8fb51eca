import type { DataSource } from 'typeorm';
import { Clock, systemClock } from '../core/clock';
import { LoadedConfig, loadConfig } from '../config/load-config';
import { assertMigrated, openDatabase } from '../db/data-source';
import { configureLogging } from '../logging/logger';

/** What every long-lived component gets: resolved config, the metadata DB, and the clock. */
export interface AppContext {
  config: LoadedConfig;
  dataSource: DataSource;
  clock: Clock;
  /** Who asks, for the audit log (services/audit-log.ts): set per CLI command and per request. */
  actor?: string;
}

export interface OpenAppContextOptions {
  config?: LoadedConfig;
  clock?: Clock;
  /** Skip the "is the schema migrated?" check (db/initdb commands). */
  allowUnmigrated?: boolean;
}

export async function openAppContext(options: OpenAppContextOptions = {}): Promise<AppContext> {
  const config = options.config ?? loadConfig();
  configureLogging({ level: config.logging.level, format: config.logging.format });
  const dataSource = await openDatabase(config.database.url, {
    poolSize: config.database.pool_size,
    fernetKey: config.core.fernet_key,
  });
  if (!options.allowUnmigrated) {
    try {
      await assertMigrated(dataSource);
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
  }
  return { config, dataSource, clock: options.clock ?? systemClock };
}

export async function closeAppContext(ctx: AppContext): Promise<void> {
  if (ctx.dataSource.isInitialized) await ctx.dataSource.destroy();
}
