/**
 * Random API requests generated from an OpenAPI document (the one the server serves): every
 * operation, with path, query and body values that are sometimes plausible (seeded ids), sometimes
 * of the wrong type, and sometimes hostile (NUL bytes, huge integers, deep nesting, traversal,
 * SQL fragments). Deterministic for a given seed, so a failure can be replayed.
 */

type Json = Record<string, unknown>;

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzOperation {
  method: string;
  path: string;
  parameters: Json[];
  bodySchema: Json | null;
}

export interface FuzzRequest {
  method: string;
  /** Already percent-encoded path and query under the server root. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The operation it was generated for, e.g. `post /dags/{dag_id}/dagRuns`. */
  operation: string;
}

const HOSTILE_STRINGS = [
  'a\u0000b',
  '\u0000',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  "' OR '1'='1",
  '"; DROP TABLE dag; --',
  '%',
  '_',
  '\\',
  '<script>alert(1)</script>',
  '{{ 7*7 }}',
  '${process.exit()}',
  '__proto__',
  'constructor',
  '\u202e\ufeff\ud83d\ude00',
  '\ud800',
  ' ',
  '',
  'x'.repeat(5000),
  '2026-13-45T99:99:99Z',
  '9999-12-31T23:59:59Z',
  '-1',
  'NaN',
  'Infinity',
  'true',
  'null',
];

const HOSTILE_NUMBERS = [
  0,
  -1,
  1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  1e308,
  -1e308,
  0.5,
  Number.MAX_SAFE_INTEGER,
];

export class OpenApiFuzzer {
  readonly operations: FuzzOperation[] = [];

  constructor(
    private readonly document: Json,
    private readonly random: () => number,
    /** Plausible values per parameter name (ids that exist in the seeded database). */
    private readonly known: Record<string, string[]>,
  ) {
    const paths = document.paths as Record<string, Json>;
    for (const [path, item] of Object.entries(paths)) {
      const shared = ((item.parameters as Json[] | undefined) ?? []).map((p) => this.deref(p));
      for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
        const operation = item[method] as Json | undefined;
        if (!operation) continue;
        const own = ((operation.parameters as Json[] | undefined) ?? []).map((p) => this.deref(p));
        const requestBody = operation.requestBody ? this.deref(operation.requestBody as Json) : null;
        const content = requestBody?.content as Record<string, { schema?: Json }> | undefined;
        const schema = content?.['application/json']?.schema;
        this.operations.push({
          method,
          path,
          parameters: [...shared, ...own],
          bodySchema: schema ? this.deref(schema) : null,
        });
      }
    }
  }

  private deref(value: Json): Json {
    let current = value;
    for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
      const parts = current.$ref.replace(/^#\//, '').split('/');
      current = parts.reduce<Json>((node, key) => node[key] as Json, this.document);
    }
    return current;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private randomText(): string {
    const length = Math.floor(this.random() * 12);
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(32 + Math.floor(this.random() * 95));
    return text;
  }

  /** A value for a schema: usually fitting it, sometimes not at all. */
  private value(schema: Json | undefined, name: string, depth: number): unknown {
    const s = schema ? this.deref(schema) : {};
    const roll = this.random();
    if (roll < 0.12) return this.pick(HOSTILE_STRINGS);
    if (roll < 0.18) return this.pick(HOSTILE_NUMBERS);
    if (roll < 0.21) return this.pick([null, true, [], {}, [1, 'a'], { a: { b: null } }]);
    if (this.known[name] && roll < 0.6) return this.pick(this.known[name]);
    if (Array.isArray(s.enum) && roll < 0.8) return this.pick(s.enum as unknown[]);
    const composite = (s.allOf ?? s.oneOf ?? s.anyOf) as Json[] | undefined;
    if (composite?.length) return this.value(this.pick(composite), name, depth);
    switch (s.type) {
      case 'integer':
        return Math.floor(this.random() * 20) - 2;
      case 'number':
        return this.random() * 100;
      case 'boolean':
        return this.chance(0.5);
      case 'array':
        return depth > 4
          ? []
          : Array.from({ length: Math.floor(this.random() * 3) }, () =>
              this.value(s.items as Json | undefined, name, depth + 1),
            );
      case 'object':
        return depth > 4 ? {} : this.object(s, depth + 1);
      default:
        if (s.format === 'date-time')
          return new Date(Date.UTC(2026, 0, 1 + Math.floor(this.random() * 60))).toISOString();
        return this.randomText();
    }
  }

  private object(schema: Json, depth: number): Json {
    const properties = { ...((schema.properties as Record<string, Json> | undefined) ?? {}) };
    for (const part of (schema.allOf as Json[] | undefined) ?? [])
      Object.assign(properties, (this.deref(part).properties as Record<string, Json> | undefined) ?? {});
    const result: Json = {};
    for (const [key, property] of Object.entries(properties)) {
      if (this.deref(property).readOnly && this.chance(0.8)) continue;
      if (this.chance(0.7)) result[key] = this.value(property, key, depth);
    }
    if (this.chance(0.1)) result[this.pick(['unknown_field', '__proto__', 'a\u0000'])] = this.randomText();
    return result;
  }

  private deepJson(levels: number): string {
    return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  }

  private encode(value: unknown): string {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    // A lone surrogate cannot be percent-encoded: send its replacement instead.
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }

  /** One random request (without its Authorization header: the caller picks who sends it). */
  next(): FuzzRequest {
    const operation = this.pick(this.operations);
    const headers: Record<string, string> = {};
    let path = operation.path;
    const query: string[] = [];
    for (const parameter of operation.parameters) {
      const name = parameter.name as string;
      const schema = parameter.schema as Json | undefined;
      if (parameter.in === 'path') {
        const value = this.chance(0.02)
          ? this.pick(['%2e%2e', '%00', '%ZZ', '..'])
          : this.encode(this.value(schema, name, 0));
        path = path.replace(`{${name}}`, value === '' ? 'x' : value);
      } else if (parameter.in === 'query' && this.chance(0.4)) {
        const repeat = this.chance(0.05) ? 2 : 1;
        for (let i = 0; i < repeat; i++)
          query.push(`${encodeURIComponent(name)}=${this.encode(this.value(schema, name, 0))}`);
      }
    }
    if (this.chance(0.05)) query.push(`${this.encode(this.randomText())}=${this.encode(this.pick(HOSTILE_STRINGS))}`);
    let body: string | undefined;
    const wantsBody = operation.bodySchema ? this.chance(0.9) : this.chance(0.05);
    if (wantsBody) {
      const roll = this.random();
      if (roll < 0.04) body = this.deepJson(this.pick([65, 1000, 10_000]));
      else if (roll < 0.08) body = this.pick(['{"key": ', 'null', '[]', '"text"', '1e999', '{"a":1,"a":2}', '\u0000']);
      else body = JSON.stringify(operation.bodySchema ? this.value(operation.bodySchema, 'body', 0) : {});
      headers['Content-Type'] = this.chance(0.05)
        ? this.pick(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x'])
        : 'application/json';
    }
    if (this.chance(0.03)) headers.Origin = this.pick(['https://evil.example', 'null']);
    const url = `/api/v1${path}${query.length ? `?${query.join('&')}` : ''}`;
    return {
      method: operation.method.toUpperCase(),
      url,
      headers,
      body,
      operation: `${operation.method} ${operation.path}`,
    };
  }
}
