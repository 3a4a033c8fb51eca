import { requireDependency } from './engine';

/** Time spent per SQL text in better-sqlite3 (its statements run synchronously, so timing is exact). */
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
export function installSqliteProfiler(): () => SqlProfileEntry[] {
  const Database = requireDependency<typeof import('better-sqlite3')>('better-sqlite3');
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
  probe.close();
  const tallies = new Map<string, SqlProfileEntry>();
  const key = (sql: string): string => sql.replace(/\s+/g, ' ').replace(/(\(\?(, \?)*\)(, )?){3,}/g, '(…)').replace(/(\?, ){8,}\?/g, '?, …').slice(0, 400);
  for (const method of ['run', 'all', 'get']) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function timed(this: { source: string }, ...args: unknown[]) {
      const started = performance.now();
      const result = original.apply(this, args);
      const k = key(this.source);
      const t = tallies.get(k) ?? { sql: k, calls: 0, totalMs: 0, rows: 0 };
      t.calls += 1;
      t.totalMs += performance.now() - started;
      t.rows += Array.isArray(result) ? result.length : 0;
      tallies.set(k, t);
      return result;
    };
  }
  return () => [...tallies.values()].sort((a, b) => b.totalMs - a.totalMs);
}
