import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpProblem, badRequest } from './problem';

/**
 * Input that no route can use and that the databases answer with an error instead of a result:
 * PostgreSQL refuses NUL bytes in text and integers beyond its column type, and deeply nested JSON
 * makes recursive code (serialisers, validators) overflow the stack. Refusing such input here, at the
 * edge, turns what would be a 500 into a 400 problem naming the cause.
 */

/** Deepest JSON nesting a request body may have (Airflow confs are a few levels deep). */
export const MAX_JSON_DEPTH = 64;

/** The range of a 32-bit integer column (Airflow's OpenAPI `integer` is int32). */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** 400 unless `value` fits a 32-bit integer column. */
export function assertInt32(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < INT32_MIN || value > INT32_MAX)
    throw badRequest(`${what} must be an integer between ${INT32_MIN} and ${INT32_MAX}, got ${String(value)}`);
  return value;
}

/**
 * `express.json`'s `verify` hook: refuses a body nested deeper than `maxDepth` before it is parsed.
 * Scans the raw bytes once, counting brackets outside strings, so a megabyte of `[` costs no stack.
 */
export function rejectDeepJson(maxDepth = MAX_JSON_DEPTH) {
  return (_req: IncomingMessage, _res: unknown, buf: Buffer): void => {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i];
      if (inString) {
        if (byte === 0x5c)
          i++; // backslash: skip the escaped character
        else if (byte === 0x22) inString = false;
      } else if (byte === 0x22) inString = true;
      else if (byte === 0x5b || byte === 0x7b) {
        if (++depth > maxDepth) throw new HttpProblem(400, `the JSON body is nested deeper than ${maxDepth} levels`);
      } else if (byte === 0x5d || byte === 0x7d) depth--;
    }
  };
}

/** Where in a parsed value (query or body) the first NUL byte is, e.g. `conf.a[2]`; null if none. */
export function findNul(value: unknown, where: string): string | null {
  const pending: Array<[unknown, string]> = [[value, where]];
  while (pending.length > 0) {
    const [item, at] = pending.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\0')) return at;
    } else if (Array.isArray(item)) {
      item.forEach((child, index) => pending.push([child, `${at}[${index}]`]));
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item as Record<string, unknown>)) {
        if (key.includes('\0')) return `${at} (a key)`;
        pending.push([child, `${at}.${key}`]);
      }
    }
  }
  return null;
}

/** A NUL byte, raw or percent-encoded: the only ways a URL's path or query can carry one. */
const NUL_IN_URL = /%00|\0/;

/** Refuses (400) a request with a NUL byte in its path, query or body: no value may contain one. */
export const rejectNulBytes: RequestHandler = (req, _res, next) => {
  const url = req.originalUrl;
  // The query parser decodes a NUL only from `%00` (or a raw one): a URL without either needs no
  // parsed query, which express 5 builds anew on every read of `req.query`.
  if (NUL_IN_URL.test(url)) {
    const question = url.indexOf('?');
    if (NUL_IN_URL.test(question < 0 ? url : url.slice(0, question)))
      return next(badRequest('the request path contains a NUL byte'));
    const inQuery = findNul(req.query, 'query');
    if (inQuery) return next(badRequest(`the request ${inQuery} contains a NUL byte`));
  }
  const inBody = findNul(req.body, 'body');
  if (inBody) return next(badRequest(`the request ${inBody} contains a NUL byte`));
  next();
};
