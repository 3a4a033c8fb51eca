import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source';
import { dagctl } from './cli';
import { createTestHome, TestHome } from './dagctl-home';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from './test-database';

/** A database of its own, a dagctl home on it that `dagctl initdb` set up, and a connection for the test's queries. */
export interface InitializedCliHome {
  db: TestDatabase;
  home: TestHome;
  ds: DataSource;
  /** Closes the connection, drops the database and removes the home. */
  close(): Promise<void>;
}

/**
 * For end-to-end tests that drive the CLI: a new database of `kind`, a home with `env` and the DAG
 * files `dags(home)` returns (file name → source; a function so they may name paths in the home),
 * initialised through `dagctl initdb` as a user would.
 */
export async function initializeCliHome(
  kind: TestDatabaseKind,
  options: { env?: Record<string, string>; dags: (home: TestHome) => Record<string, string> },
): Promise<InitializedCliHome> {
  const db = await createTestDatabase(kind);
  const home = createTestHome({ databaseUrl: db.url, env: options.env });
  const close = async (ds?: DataSource): Promise<void> => {
    await ds?.destroy();
    await db.drop();
    home.remove();
  };
  try {
    for (const [name, source] of Object.entries(options.dags(home))) home.writeDag(name, source);
    const initdb = dagctl(['initdb'], home.env);
    if (initdb.status !== 0) throw new Error(`dagctl initdb exited ${initdb.status}: ${initdb.stderr}`);
    const ds = await openDatabase(db.url);
    return { db, home, ds, close: () => close(ds) };
  } catch (err) {
    await close();
    throw err;
  }
}
