/** A template named something that does not exist (Jinja's StrictUndefined, as dagctl's default). */
export class TemplateUndefinedError extends Error {
  constructor(readonly templateName: string) {
    super(`'${templateName}' is undefined`);
    this.name = 'TemplateUndefinedError';
  }
}

/**
 * Names that code, not template authors, probe on an object (JSON.stringify, promises, nunjucks'
 * keyword arguments, inspection): their absence is no template error.
 */
const PROBED = new Set([
  'toJSON',
  'then',
  '__keywords',
  'length',
  'inspect',
  'nodeType',
  'asymmetricMatch',
  '$$typeof',
  '__esModule',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * `value` as strict templates see it: reading an attribute it lacks throws TemplateUndefinedError
 * naming the whole path (`params.missing`), nested plain objects alike; `.get(name, default)` reads
 * with a fallback, as on Airflow's dicts (`params.get('n', 1)`).
 */
export function strictView<T extends object>(value: T, path: string): T {
  return new Proxy(value, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol') return Reflect.get(target, prop, receiver) as unknown;
      if (prop in target) {
        const item = Reflect.get(target, prop, receiver) as unknown;
        return isPlainObject(item) ? strictView(item, `${path}.${prop}`) : item;
      }
      if (prop === 'get') {
        return (name: unknown, fallback: unknown = null) => {
          const key = String(name);
          return Object.prototype.hasOwnProperty.call(target, key)
            ? (target as Record<string, unknown>)[key]
            : fallback;
        };
      }
      if (PROBED.has(prop)) return undefined;
      throw new TemplateUndefinedError(`${path}.${prop}`);
    },
  });
}

/**
 * Top-level lookups of a strict template end here when the name is in no context: nunjucks asks
 * its globals for any name the context lacks, so this stands in for them and names the culprit.
 */
export function strictGlobals(globals: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(globals, {
    has: (target, prop) => typeof prop === 'string' || prop in target,
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop, receiver) as unknown;
      throw new TemplateUndefinedError(prop);
    },
  });
}
