import type { Request } from 'express';
import { badRequest } from '../http/problem';
import { assertInt32 } from '../http/hostile-input';

/** Page size when `limit` is absent, and the most one page may hold (larger asks are capped). */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export interface Page {
  limit: number;
  offset: number;
}

type Query = Request['query'];

/** One string value of a query parameter; repeating a single-valued parameter is an error. */
export function queryString(query: Query, name: string): string | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw badRequest(`query parameter '${name}' must be given once`);
  return raw;
}

/** A repeatable parameter (`?state=a&state=b`); a single value may also be comma-separated. */
export function queryList(
  query: Query,
  name: string,
  options: { commaSeparated?: boolean } = {},
): string[] | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).map((value) => {
    if (typeof value !== 'string') throw badRequest(`query parameter '${name}' must be a list of strings`);
    return value;
  });
  const split = options.commaSeparated ? values.flatMap((value) => value.split(',')) : values;
  return split.map((value) => value.trim()).filter((value) => value !== '');
}

export function queryInt(query: Query, name: string, options: { min?: number; max?: number } = {}): number | undefined {
  const raw = queryString(query, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`query parameter '${name}' must be an integer, got '${raw}'`);
  // Every integer parameter names an int32 column or a page bound: larger values are mistakes.
  const value = assertInt32(Number(raw), `query parameter '${name}'`);
  if (options.min !== undefined && value < options.min)
    throw badRequest(`query parameter '${name}' must be at least ${options.min}, got ${value}`);
  if (options.max !== undefined && value > options.max)
    throw badRequest(`query parameter '${name}' must be at most ${options.max}, got ${value}`);
  return value;
}

export function queryNumber(query: Query, name: string): number | undefined {
  const raw = queryString(query, name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw badRequest(`query parameter '${name}' must be a number, got '${raw}'`);
  return value;
}

export function queryBool(query: Query, name: string): boolean | undefined {
  const raw = queryString(query, name);
  if (raw === undefined || raw === '') return undefined;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badRequest(`query parameter '${name}' must be true or false, got '${raw}'`);
}

/** An ISO-8601 date-time (with a zone, or UTC assumed), returned as the stored ISO string. */
export function parseDateTime(value: string, name: string): string {
  const text = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) {
    throw badRequest(`'${name}' must be an ISO-8601 date-time, got '${value}'`);
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10;
  const date = new Date(hasZone ? text : text.length === 10 ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime())) throw badRequest(`'${name}' is not a valid date-time: '${value}'`);
  return date.toISOString();
}

export function queryDateTime(query: Query, name: string): string | undefined {
  const raw = queryString(query, name);
  if (raw === undefined || raw === '') return undefined;
  return parseDateTime(raw, `query parameter ${name}`);
}

/** `<name>_gte` and `<name>_lte`: a date-time range, either end optional. */
export function queryDateTimeRange(query: Query, name: string): [string | undefined, string | undefined] {
  return [queryDateTime(query, `${name}_gte`), queryDateTime(query, `${name}_lte`)];
}

/**
 * `limit` and `offset` as Airflow's check_limit reads them: absent or 0 means the default page
 * (100), larger than 1000 is capped, negative is an error.
 */
export function queryPage(query: Query): Page {
  const limit = queryInt(query, 'limit');
  if (limit !== undefined && limit < 0) throw badRequest(`query parameter 'limit' must not be negative, got ${limit}`);
  const offset = queryInt(query, 'offset', { min: 0 }) ?? 0;
  return { limit: Math.min(limit || DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT), offset };
}

export interface OrderBy {
  /** SQL expression of the column (from the allow-list, never from the request). */
  column: string;
  direction: 'ASC' | 'DESC';
}

/**
 * `order_by=field` or `order_by=-field` (descending), checked against an allow-list mapping API
 * field names to SQL columns: the request never reaches the SQL text.
 */
export function queryOrderBy(query: Query, allowed: Record<string, string>, fallback: string): OrderBy {
  const raw = queryString(query, 'order_by');
  return parseOrderBy(raw === undefined || raw === '' ? fallback : raw, allowed, 'order_by');
}

export function parseOrderBy(raw: string, allowed: Record<string, string>, name: string): OrderBy {
  const descending = raw.startsWith('-');
  const field = descending ? raw.slice(1) : raw;
  const column = Object.prototype.hasOwnProperty.call(allowed, field) ? allowed[field] : undefined;
  if (!column) {
    throw badRequest(
      `${name}: ordering by '${field}' is not allowed; ` +
        `use one of ${Object.keys(allowed).join(', ')} (prefix '-' for descending)`,
    );
  }
  return { column, direction: descending ? 'DESC' : 'ASC' };
}

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards in `text` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
