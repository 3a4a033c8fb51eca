import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { execSql } from '../../../src/db/sql';

/** The user tables of the database (SQLite or PostgreSQL), sorted. */
async function tableNames(ds: DataSource): Promise<string[]> {
  const sql =
    ds.options.type === 'postgres'
      ? 'SELECT table_name AS name FROM information_schema.tables ' +
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
  const { records } = await execSql<{ name: string }>(ds, sql);
  return records.map((r) => r.name).sort();
}

/**
 * A hash of every table's rows (in a fixed order), by table: comparing two snapshots shows which
 * tables a sequence of requests changed.
 */
export async function snapshotTables(ds: DataSource): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const table of await tableNames(ds)) {
    const { records } = await execSql<Record<string, unknown>>(ds, `SELECT * FROM "${table}"`);
    const rows = records.map((row) => JSON.stringify(row)).sort();
    snapshot.set(table, crypto.createHash('sha256').update(rows.join('\n')).digest('hex'));
  }
  return snapshot;
}

/** The tables whose content differs between two snapshots. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}
