import type { DataSource, EntityManager } from 'typeorm';

/**
 * better-sqlite3 gives TypeORM ONE connection per process, so two overlapping `transaction()`
 * calls would interleave on it. Every write transaction goes through here: on SQLite they are
 * serialized per DataSource; on PostgreSQL each gets its own pooled connection.
 */
const sqliteChains = new WeakMap<DataSource, Promise<unknown>>();

export async function runInTransaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type === 'postgres') return ds.transaction(work);
  const previous = sqliteChains.get(ds) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => ds.transaction(work));
  sqliteChains.set(ds, next.catch(() => undefined));
  return next;
}
