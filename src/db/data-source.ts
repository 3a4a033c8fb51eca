import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { UserError, errorMessage } from '../core/errors';
import { ALL_ENTITIES } from './entities';
import { ALL_MIGRATIONS } from './migrations';
import { useFernetKey } from './secrets-keyring';
import { beginImmediateOnSqlite, serializeSqliteTransactions } from './transaction';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseTarget {
  kind: DatabaseKind;
  /** SQLite: absolute file path (or ':memory:'). PostgreSQL: the connection URL without `schema`. */
  location: string;
  /** PostgreSQL schema from `?schema=` (default public). */
  schema?: string;
}

/** Parse `sqlite:///abs/path.db` or `postgres://user:pw@host:port/db[?schema=s]`. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    if (!file) throw new UserError(`database.url '${url}': expected sqlite:///absolute/path.db`);
    return { kind: 'sqlite', location: file === '/:memory:' ? ':memory:' : file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', location: parsed.toString(), schema };
  }
  throw new UserError(
    `database.url '${url.replace(/\/\/[^@/]*@/, '//***@')}': expected sqlite:///path or postgres://…`,
  );
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export interface OpenDatabaseOptions {
  poolSize?: number;
  /** Tests only: create tables from entities instead of running migrations. Never in production. */
  logging?: boolean;
  /**
   * `core.fernet_key`: the key (or comma-separated keys) that encrypts secrets at rest. Given,
   * it becomes this process's keyring (see secrets-keyring.ts); omitted, the keyring is unchanged.
   */
  fernetKey?: string;
}

export function buildDataSourceOptions(url: string, options: OpenDatabaseOptions = {}): DataSourceOptions {
  const target = parseDatabaseUrl(url);
  const common = {
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTransactionMode: 'each' as const,
    logging: options.logging ?? false,
  };
  if (target.kind === 'sqlite') {
    if (target.location !== ':memory:') fs.mkdirSync(path.dirname(target.location), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.location,
      // TypeORM keeps prepared statements in a first-in-first-out cache (100 by default). The
      // scheduler's batched statements (IN and OR lists of every length) filled it in a loop or two
      // and pushed out the hot fixed ones, which were then prepared again on every use.
      statementCacheSize: 2000,
      // WAL lets readers (web server, CLI) work while the scheduler writes; NORMAL sync is
      // durable across process crashes, which is what a scheduler needs.
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Writers wait up to this long for the lock (every write transaction asks for it up front:
        // beginImmediateOnSqlite) instead of failing with "database is locked".
        db.pragma('busy_timeout = 10000');
        db.pragma('foreign_keys = ON');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: target.location,
    schema: target.schema,
    poolSize: options.poolSize ?? 10,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 },
  };
}

/** Open (initialize) the metadata database; a connection failure becomes a one-line UserError. */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<DataSource> {
  if (options.fernetKey !== undefined) useFernetKey(options.fernetKey);
  const dataSource = new DataSource(buildDataSourceOptions(url, options));
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new UserError(`cannot open database ${redactUrl(url)}: ${errorMessage(err).split('\n')[0]}`);
  }
  serializeSqliteTransactions(dataSource);
  beginImmediateOnSqlite(dataSource);
  const target = parseDatabaseUrl(url);
  if (target.kind === 'postgres' && target.schema) {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema.replace(/"/g, '')}"`);
  }
  return dataSource;
}

export function databaseKind(dataSource: DataSource): DatabaseKind {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** Run pending migrations; returns the names of those applied. Idempotent. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  const all = ALL_MIGRATIONS.map((m) => new m().name);
  let applied: string[] = [];
  try {
    const rows: Array<{ name: string }> = await dataSource.query('SELECT name FROM migrations');
    applied = rows.map((r) => r.name);
  } catch {
    applied = [];
  }
  return { applied, pending: all.filter((name) => !applied.includes(name)) };
}

/** Fail with a clear message when the schema is not up to date (commands other than db/initdb). */
export async function assertMigrated(dataSource: DataSource): Promise<void> {
  const status = await migrationStatus(dataSource);
  if (status.pending.length > 0) {
    throw new UserError(
      `the metadata database is not initialized or not up to date (${status.pending.length} pending migrations): ` +
        "run 'dagctl initdb'",
    );
  }
}
