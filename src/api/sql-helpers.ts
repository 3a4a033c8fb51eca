import type { DataSource } from 'typeorm';
import { execSql } from '../db/sql';
import type { OrderBy, Page } from './query-params';

/** WHERE clauses and their `?` parameters, built up filter by filter. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** `column IN (?, ?…)`; an empty list matches nothing. */
  in(column: string, values: readonly unknown[] | undefined): this {
    if (values === undefined) return this;
    if (values.length === 0) return this.add('1 = 0');
    return this.add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values);
  }

  range(column: string, gte: string | number | undefined, lte: string | number | undefined): this {
    if (gte !== undefined) this.add(`${column} >= ?`, gte);
    if (lte !== undefined) this.add(`${column} <= ?`, lte);
    return this;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** Count and one page of rows for `FROM … WHERE …`, ordered with a unique tie-breaker. */
export async function pagedQuery<T = Record<string, unknown>>(
  ds: DataSource,
  parts: { select: string; from: string; where: Where; order: OrderBy; tieBreaker: string; page: Page },
): Promise<{ rows: T[]; total: number }> {
  const count = await execSql<{ n: number | string }>(
    ds,
    `SELECT COUNT(*) AS n FROM ${parts.from} ${parts.where.sql}`,
    parts.where.params,
  );
  const total = Number(count.records[0]?.n ?? 0);
  if (total === 0 || parts.page.offset >= total) return { rows: [], total };
  const nulls = parts.order.direction === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST';
  // SQLite and PostgreSQL sort NULLs differently by default; say it explicitly on both.
  const sql = `SELECT ${parts.select} FROM ${parts.from} ${parts.where.sql}
    ORDER BY ${parts.order.column} ${parts.order.direction} ${nulls}, ${parts.tieBreaker} ${parts.order.direction}
    LIMIT ? OFFSET ?`;
  const { records } = await execSql<T>(ds, sql, [...parts.where.params, parts.page.limit, parts.page.offset]);
  return { rows: records, total };
}
