import type { DataSource, EntityManager } from 'typeorm';

export interface SqlResult<T> {
  records: T[];
  affected: number;
}

/**
 * Run raw SQL written with `?` placeholders on SQLite or PostgreSQL (rewritten to $1…), with
 * booleans bound portably, returning rows and the affected-row count. Used on hot paths where
 * entity hydration would cost too much. Never put a literal '?' inside the SQL text.
 */
export async function execSql<T = Record<string, unknown>>(
  db: DataSource | EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<SqlResult<T>> {
  const manager = 'manager' in db ? db.manager : db;
  const postgres = manager.connection.options.type === 'postgres';
  let index = 0;
  const sql = postgres ? text.replace(/\?/g, () => `$${++index}`) : text;
  const bound = params.map((p) =>
    typeof p === 'boolean' && !postgres ? (p ? 1 : 0) : p instanceof Date ? p.toISOString() : p,
  );
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, bound, true);
    return { records: (result.records ?? []) as T[], affected: result.affected ?? 0 };
  } finally {
    if (!manager.queryRunner && postgres) await runner.release();
  }
}

/** A boolean column (or EXISTS) as read back: 1/0 from SQLite, true/false from PostgreSQL. */
export function sqlBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** `(?, ?, ?)` repeated: placeholders for a multi-row VALUES or IN list. */
export function placeholders(rows: number, columns: number): string {
  const row = `(${Array(columns).fill('?').join(', ')})`;
  return Array(rows).fill(row).join(', ');
}

/** Split a list into chunks that keep bound parameters under every driver's limit. */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function isPostgres(db: DataSource | EntityManager): boolean {
  const manager = 'manager' in db ? db.manager : db;
  return manager.connection.options.type === 'postgres';
}
