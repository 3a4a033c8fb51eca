import type { DataSource, EntityManager } from 'typeorm';

/**
 * better-sqlite3 gives TypeORM ONE connection per process, so two overlapping transactions would
 * interleave on it (the second nesting as a savepoint of the first). `openDatabase` makes every
 * `dataSource.transaction()` on SQLite wait for the previous one; PostgreSQL gives each its own
 * pooled connection and needs nothing.
 */
export function serializeSqliteTransactions(ds: DataSource): void {
  if (ds.options.type === 'postgres') return;
  const original = ds.transaction.bind(ds) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (ds as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    const next = tail.then(() => original(...args));
    tail = next.catch(() => undefined);
    return next;
  };
}

/**
 * SQLite starts a plain `BEGIN` as a reader and upgrades to a writer on its first write; when
 * another process (the scheduler, a CLI command) committed in between, that upgrade fails at once
 * with "database is locked" — the busy timeout cannot help, as waiting would not make the
 * reader's snapshot current. `BEGIN IMMEDIATE` takes the write lock up front, waiting up to the
 * busy timeout for it, so a write transaction either waits its turn or (after the timeout) fails
 * before it did anything. Read-only transactions pay one short lock; dagctl has few of them.
 */
export function beginImmediateOnSqlite(ds: DataSource): void {
  if (ds.options.type === 'postgres') return;
  // better-sqlite3: the driver's one query runner serves every query and transaction of this process.
  const runner = ds.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  (runner as unknown as { query: (sql: string, ...rest: unknown[]) => Promise<unknown> }).query = (
    sql: string,
    ...rest: unknown[]
  ) => query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
}

export async function runInTransaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(work);
}

/**
 * Run `work` in the caller's open transaction when `db` is its manager (the scheduler loop folds
 * several steps into one transaction), else in a transaction of its own.
 */
export async function withinTransaction<T>(
  db: DataSource | EntityManager,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if ('manager' in db) return db.transaction(work);
  if (db.queryRunner?.isTransactionActive) return work(db);
  // The DataSource's transaction(), which SQLite serializes (see serializeSqliteTransactions).
  return db.connection.transaction(work);
}
