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
