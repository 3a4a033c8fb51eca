import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import { getLogger } from '../logging/logger';
import { SqliteCommitWatcher, SqliteCommitWatcherOptions } from './sqlite-commit-watcher';

const log = getLogger('scheduler');

/** The channel other processes NOTIFY on PostgreSQL after triggering or clearing runs. */
export const SCHEDULER_CHANNEL = 'dagctl_scheduler';

/**
 * Wakes the scheduler when ANOTHER process changed the metadata DB (a CLI trigger, a web
 * action), so manual runs start in milliseconds rather than at the next idle tick.
 * SQLite: `PRAGMA data_version` changes exactly when another connection commits; it is read when
 * the database's files change (file-system events), with a slow poll as a safety net — see
 * SqliteCommitWatcher. PostgreSQL: LISTEN on a channel that writers NOTIFY.
 */
export class ExternalChangeWatcher {
  private client: Client | null = null;
  private sqlite: SqliteCommitWatcher | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly onChange: () => void,
    private readonly options: Pick<SqliteCommitWatcherOptions, 'fastPollMs' | 'slowPollMs' | 'watchFiles'> = {},
  ) {}

  /** The SQLite watcher, when there is one (tests). */
  get sqliteWatcher(): SqliteCommitWatcher | null {
    return this.sqlite;
  }

  async start(): Promise<void> {
    if (this.ds.options.type === 'postgres') {
      const options = this.ds.options as { url?: string };
      try {
        this.client = new Client({ connectionString: options.url });
        this.client.on('error', (err) => log.warn(`LISTEN connection error: ${err.message}`));
        await this.client.connect();
        this.client.on('notification', () => this.onChange());
        await this.client.query(`LISTEN ${SCHEDULER_CHANNEL}`);
      } catch (err) {
        log.warn('cannot LISTEN for changes (falling back to polling)', { err });
        this.client = null;
      }
      return;
    }
    // Straight to better-sqlite3: no TypeORM query runner for a one-value pragma.
    const connection = (
      this.ds.driver as unknown as { databaseConnection?: { pragma(sql: string, options: { simple: true }): unknown } }
    ).databaseConnection;
    const { database } = this.ds.options as { database?: unknown };
    // An in-memory database: no other process can commit to it.
    if (typeof database !== 'string' || !database || database === ':memory:') return;
    this.sqlite = new SqliteCommitWatcher({
      ...this.options,
      file: realFile(path.resolve(database)),
      readVersion: async () => {
        if (connection) return Number(connection.pragma('data_version', { simple: true }));
        const { records } = await execSql<{ data_version: number }>(this.ds, 'PRAGMA data_version');
        return Number(records[0]?.data_version);
      },
      onCommit: () => this.onChange(),
    });
    await this.sqlite.start();
  }

  async stop(): Promise<void> {
    this.sqlite?.stop();
    this.sqlite = null;
    if (this.client) await this.client.end().catch(() => undefined);
    this.client = null;
  }
}

/** SQLite names the -wal file after the database's real path: watch where it really is. */
function realFile(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Tell running schedulers to look now (PostgreSQL; on SQLite the data_version poll sees commits). */
export async function notifySchedulers(ds: DataSource): Promise<void> {
  if (ds.options.type !== 'postgres') return;
  await ds.query(`NOTIFY ${SCHEDULER_CHANNEL}`).catch(() => undefined);
}
