import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 schemas are almost JSON Schema; convert the differences: `nullable: true` becomes
 * a null type (or an anyOf with null around $ref / anyOf), siblings of $ref are dropped,
 * `discriminator` and `example` (not JSON Schema) are removed, refs point into the document.
 */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const source = node as Json;
  if (typeof source.$ref === 'string') {
    const ref = { $ref: source.$ref.replace(/^#\//, 'openapi.json#/') };
    return source.nullable === true ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'discriminator' || key === 'example' || key === 'nullable') continue;
    // `properties` maps names to schemas: convert each value, keep the names as they are.
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, toJsonSchema(schema)]))
        : toJsonSchema(value);
  }
  if (source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/** Validates JSON bodies against the responses of the served OpenAPI document. */
export class OpenApiResponseValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // Airflow's document also uses these non-standard formats.
    this.ajv.addFormat('datetime', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
    this.ajv.addFormat('path', true);
    this.ajv.addFormat('password', true);
    this.ajv.addSchema({ components: toJsonSchema(document.components) }, 'openapi.json');
  }

  hasOperation(method: string, path: string): boolean {
    return !!(this.document.paths as Record<string, Json>)[path]?.[method];
  }

  /** Throws with ajv's errors when `body` does not match the schema of that response. */
  validate(method: string, path: string, status: number, body: unknown): void {
    const key = `${method} ${path} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const operation = (this.document.paths as Record<string, Json>)[path]?.[method] as Json | undefined;
      if (!operation) throw new Error(`the served document has no operation ${method.toUpperCase()} ${path}`);
      const response = (operation.responses as Record<string, Json>)[String(status)];
      if (!response) throw new Error(`${method.toUpperCase()} ${path} documents no ${status} response`);
      const resolved = typeof response.$ref === 'string' ? this.resolve(response.$ref) : response;
      const schema = (resolved.content as Record<string, Json> | undefined)?.['application/json']?.schema;
      if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} has no JSON schema`);
      validate = this.ajv.compile(toJsonSchema(schema) as Json);
      this.cache.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(
        `${method.toUpperCase()} ${path} ${status} does not match the OpenAPI schema: ` +
          `${this.ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(body).slice(0, 2000)}`,
      );
    }
  }

  private resolve(ref: string): Json {
    let node: unknown = this.document;
    for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Json)[part];
    return node as Json;
  }
}

/** What supertest can call: the app, a listening server or a base URL. */
type Served = Parameters<typeof request>[0];

/** The OpenAPI document `served` answers at /api/v1/openapi.json, read with `authorization`. */
export async function servedOpenApiDocument(served: Served, authorization: string): Promise<Json> {
  const res = await request(served).get('/api/v1/openapi.json').set('Authorization', authorization).expect(200);
  return res.body as Json;
}

/** A validator for the responses of the document `served` answers (see `servedOpenApiDocument`). */
export async function validatorFromServedDocument(
  served: Served,
  authorization: string,
): Promise<OpenApiResponseValidator> {
  return new OpenApiResponseValidator(await servedOpenApiDocument(served, authorization));
}
