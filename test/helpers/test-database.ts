import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrate, openDatabase } from '../../src/db/data-source';

/** The backends integration tests run against; CI has both. */
export const DATABASE_KINDS = ['sqlite', 'postgres'] as const;
export type TestDatabaseKind = (typeof DATABASE_KINDS)[number];

/**
 * The PostgreSQL server tests create their databases on (never a literal host:port in a test).
 * The jest global setup (test/helpers/services) sets DAGCTL_TEST_PG_URL: the shared server at
 * 127.0.0.1:5432 when it answers, else a private one it started.
 */
export const PG_ADMIN_URL = process.env.DAGCTL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The `core.fernet_key` of tests that do not test keys (secrets are encrypted at rest, CONTRACT §6). */
export const TEST_FERNET_KEY = 'dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhISE';

export interface TestDatabase {
  url: string;
  kind: TestDatabaseKind;
  /** Drops the database (PostgreSQL) or deletes the file (SQLite). */
  drop(): Promise<void>;
}

function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A brand-new empty database of the given kind, with nothing shared with other tests. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-db-'));
    const file = path.join(dir, 'dagctl.db');
    return { kind, url: `sqlite://${file}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = uniqueName('dagctl_test');
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated database opened as a DataSource; `close()` closes and drops it. */
export async function openMigratedTestDatabase(
  kind: TestDatabaseKind,
): Promise<{ db: TestDatabase; dataSource: DataSource; close(): Promise<void> }> {
  const db = await createTestDatabase(kind);
  const dataSource = await openDatabase(db.url, { fernetKey: TEST_FERNET_KEY });
  await migrate(dataSource);
  return {
    db,
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    },
  };
}
