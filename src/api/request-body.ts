import type { Request } from 'express';
import { badRequest } from '../http/problem';
import { parseDateTime } from './query-params';
import { assertInt32 } from '../http/hostile-input';

export type JsonObject = Record<string, unknown>;

/** The JSON object body of a request, or 400. */
export function jsonBody(req: Request, options: { optional?: boolean } = {}): JsonObject {
  const body: unknown = req.body;
  if (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0 && !req.is('application/json'))
  ) {
    if (options.optional) return {};
    throw badRequest('the request body must be a JSON object (Content-Type: application/json)');
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  return body as JsonObject;
}

export function optionalString(
  body: JsonObject,
  name: string,
  options: { nullable?: boolean } = {},
): string | null | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (value === null && options.nullable) return null;
  if (typeof value !== 'string')
    throw badRequest(`field '${name}' must be a string${options.nullable ? ' or null' : ''}`);
  return value;
}

export function requiredString(body: JsonObject, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined || value === null || value === '') throw badRequest(`field '${name}' is required`);
  return value;
}

export function optionalBoolean(body: JsonObject, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`field '${name}' must be true or false`);
  return value;
}

export function optionalInteger(
  body: JsonObject,
  name: string,
  options: { min?: number; nullable?: boolean } = {},
): number | null | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (value === null && options.nullable) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(`field '${name}' must be an integer`);
  assertInt32(value, `field '${name}'`);
  if (options.min !== undefined && value < options.min)
    throw badRequest(`field '${name}' must be at least ${options.min}`);
  return value;
}

export function optionalStringList(body: JsonObject, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw badRequest(`field '${name}' must be a list of strings`);
  return value as string[];
}

export function optionalDateTime(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`field '${name}' must be an ISO-8601 date-time string`);
  return parseDateTime(value, `field ${name}`);
}

/** `<name>_gte` and `<name>_lte` of a list request: a date-time range, either end optional. */
export function optionalDateTimeRange(body: JsonObject, name: string): [string | undefined, string | undefined] {
  return [optionalDateTime(body, `${name}_gte`), optionalDateTime(body, `${name}_lte`)];
}

export function optionalObject(body: JsonObject, name: string): JsonObject | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`field '${name}' must be a JSON object`);
  return value as JsonObject;
}

/** Refuse fields the endpoint does not know, naming them (typos should not pass silently). */
export function rejectUnknownFields(body: JsonObject, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw badRequest(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; ` +
        `expected ${known.join(', ')}`,
    );
}

/** `update_mask=a,b` (or repeated) as a list of field names; undefined when absent. */
export function updateMask(req: Request, allowed: readonly string[]): string[] | undefined {
  const raw = req.query.update_mask;
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw])
    .flatMap((value) => {
      if (typeof value !== 'string')
        throw badRequest("query parameter 'update_mask' must be a comma-separated list of field names");
      return value.split(',');
    })
    .map((value) => value.trim())
    .filter(Boolean);
  const bad = values.filter((value) => !allowed.includes(value));
  if (bad.length > 0)
    throw badRequest(
      `update_mask: field${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')} cannot be updated; ` +
        `updatable: ${allowed.join(', ')}`,
    );
  return values;
}

export function optionalNumberField(body: JsonObject, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`field '${name}' must be a number`);
  return value;
}
