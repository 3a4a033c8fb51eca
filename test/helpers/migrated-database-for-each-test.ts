import type { DataSource } from 'typeorm';
import { openMigratedTestDatabase, TestDatabaseKind } from './test-database';

/** The database of the test that is running; valid only inside tests and the hooks after this one. */
export interface DatabaseOfEachTest {
  readonly dataSource: DataSource;
}

/**
 * Gives every test of the enclosing describe its own freshly migrated database of `kind`,
 * dropped after the test. Call it first in the describe, so hooks declared after it (seeding)
 * run once the database is open.
 */
export function migratedDatabaseForEachTest(kind: TestDatabaseKind): DatabaseOfEachTest {
  let opened: Awaited<ReturnType<typeof openMigratedTestDatabase>> | undefined;
  beforeEach(async () => {
    opened = await openMigratedTestDatabase(kind);
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  return {
    get dataSource(): DataSource {
      if (!opened) throw new Error('migratedDatabaseForEachTest: the database is open only inside a test or its hooks');
      return opened.dataSource;
    },
  };
}
