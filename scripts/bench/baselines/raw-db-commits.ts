import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PG_ADMIN_URL } from '../bench-home';
import { requireDependency } from '../engine';
import { guardVariant } from '../guard-variant';
import { Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';

/** Commits per second of single-row UPDATE transactions (autocommit) during `seconds`. */
async function commitRate(seconds: number, update: (i: number) => Promise<void> | void): Promise<number> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let n = 0;
  while (performance.now() < until && n < 10_000_000) {
    await update(n);
    n += 1;
  }
  return n / ((performance.now() - started) / 1000);
}

async function sqliteRates(seconds: number, reps: number): Promise<number[]> {
  const Database = requireDependency<typeof import('better-sqlite3')>('better-sqlite3');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-bench-sqlite-'));
  const db = new Database(path.join(dir, 'commits.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
    db.prepare('INSERT INTO t (id, v) VALUES (1, 0)').run();
    const stmt = db.prepare('UPDATE t SET v = ? WHERE id = 1');
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep += 1) rates.push(await commitRate(seconds, (i) => void stmt.run(i)));
    return rates;
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRates(seconds: number, reps: number): Promise<number[]> {
  const { Client } = requireDependency<typeof import('pg')>('pg');
  const name = `dagctl_bench_commits_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL)');
      await client.query('INSERT INTO t (id, v) VALUES (1, 0)');
      const rates: number[] = [];
      for (let rep = 0; rep < reps; rep += 1) {
        rates.push(
          await commitRate(
            seconds,
            async (i) =>
              void (await client.query({ name: 'upd', text: 'UPDATE t SET v = $1 WHERE id = 1', values: [i] })),
          ),
        );
      }
      return rates;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

/** Raw commit rate: one connection, single-row UPDATE, each statement its own transaction. */
export const rawDbCommits: Scenario = {
  name: 'baseline-db',
  kind: 'baseline',
  async run(bench: BenchContext): Promise<Figure[]> {
    const { commitSeconds, reps } = bench.sizes;
    const size = `${commitSeconds} s per repetition`;
    const sqliteSpec: FigureSpec = {
      scenario: 'baseline: raw DB commits',
      metric: 'single-row UPDATE transactions/s (better-sqlite3, WAL, synchronous=NORMAL)',
      executor: '-',
      database: 'sqlite',
      unit: 'tx/s',
      size,
    };
    const pgSpec: FigureSpec = {
      scenario: 'baseline: raw DB commits',
      metric: 'single-row UPDATE transactions/s (pg, one connection)',
      executor: '-',
      database: 'postgres',
      unit: 'tx/s',
      size,
    };
    return [
      ...(await guardVariant(bench, [sqliteSpec], async () => [
        measured(sqliteSpec, await sqliteRates(commitSeconds, reps)),
      ])),
      ...(await guardVariant(bench, [pgSpec], async () => [
        measured(pgSpec, await postgresRates(commitSeconds, reps)),
      ])),
    ];
  },
};
