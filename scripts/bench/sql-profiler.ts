import { requireDependency } from './engine';

/**
 * Time spent per SQL text: in better-sqlite3 (its statements run synchronously, so timing is
 * exact) or in pg (from sending a query to its result: the round trip, including any wait behind
 * the connection's earlier queries).
 */
export interface SqlProfileEntry {
  sql: string;
  calls: number;
  totalMs: number;
  rows: number;
}

/**
 * Wrap better-sqlite3's Statement run/all/get in this process and tally time per SQL text
 * (whitespace collapsed, long IN-lists shortened). Returns a function reading the tallies.
 */
export function installSqlProfiler(): () => SqlProfileEntry[] {
  const tallies = new Map<string, SqlProfileEntry>();
  const key = (sql: string): string =>
    sql
      .replace(/\s+/g, ' ')
      .replace(/(\(\$?\d*\?*(, \$?\d*\?*)*\)(, )?){3,}/g, '(…)')
      .replace(/((\?|\$\d+), ){8,}(\?|\$\d+)/g, '?, …')
      .slice(0, 400);
  const tally = (sql: string, ms: number, rows: number): void => {
    const k = key(sql);
    const t = tallies.get(k) ?? { sql: k, calls: 0, totalMs: 0, rows: 0 };
    t.calls += 1;
    t.totalMs += ms;
    t.rows += rows;
    tallies.set(k, t);
  };

  const Database = requireDependency<typeof import('better-sqlite3')>('better-sqlite3');
  const probe = new Database(':memory:');
  const sqliteStatement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get']) {
    const original = sqliteStatement[method] as (...args: unknown[]) => unknown;
    sqliteStatement[method] = function timed(this: { source: string }, ...args: unknown[]) {
      const started = performance.now();
      const result = original.apply(this, args);
      tally(this.source, performance.now() - started, Array.isArray(result) ? result.length : 0);
      return result;
    };
  }

  const pgClient = requireDependency<typeof import('pg')>('pg').Client.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const originalQuery = pgClient.query;
  pgClient.query = function timedQuery(this: unknown, ...args: unknown[]) {
    const result = originalQuery.apply(this, args);
    // Only the promise form with SQL text (what TypeORM and execSql use); callbacks pass untimed.
    if (typeof args[0] !== 'string' || !(result instanceof Promise)) return result;
    const started = performance.now();
    return result.then((res: { rows?: unknown[] }) => {
      tally(args[0] as string, performance.now() - started, Array.isArray(res?.rows) ? res.rows.length : 0);
      return res;
    });
  };
  return () => [...tallies.values()].sort((a, b) => b.totalMs - a.totalMs);
}
