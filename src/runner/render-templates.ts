import nunjucks from 'nunjucks';

/** A templated field failed to render; the message is one line naming the field. */
export class TemplateRenderError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`template error in field '${field}': ${detail}`);
    this.name = 'TemplateRenderError';
  }
}

const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

/** Compiled templates, reused by warm processes (the same DAG runs again and again). */
const compiled = new Map<string, nunjucks.Template>();
const MAX_CACHED_TEMPLATES = 1000;

function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

function compile(source: string): nunjucks.Template {
  let template = compiled.get(source);
  if (!template) {
    template = new nunjucks.Template(source, environment, undefined, true);
    if (compiled.size >= MAX_CACHED_TEMPLATES) compiled.delete(compiled.keys().next().value as string);
    compiled.set(source, template);
  }
  return template;
}

/** Strings of a value, recursively (arrays and plain objects). */
function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (isPlainObject(value)) for (const item of Object.values(value)) yield* stringsOf(item);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  // DAG files may be evaluated in another realm (jest, vm): accept any realm's Object.prototype.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** True when some template among the values uses `var.` — only then are variables fetched. */
export function templatesMentionVariables(values: Iterable<unknown>): boolean {
  for (const value of values) {
    for (const text of stringsOf(value)) {
      if (isTemplate(text) && /\bvar\s*[.[]/.test(text)) return true;
    }
  }
  return false;
}

/** The ids a template names as `conn.<id>` (loaded before rendering, which is synchronous). */
export function connectionIdsInTemplates(values: Iterable<unknown>): string[] {
  const ids = new Set<string>();
  for (const value of values) {
    for (const text of stringsOf(value)) {
      if (!isTemplate(text)) continue;
      for (const match of text.matchAll(/\bconn\s*\.\s*([A-Za-z_][\w-]*)/g)) ids.add(match[1]);
      for (const match of text.matchAll(/\bconn\s*\[\s*['"]([^'"]+)['"]\s*\]/g)) ids.add(match[1]);
    }
  }
  return [...ids];
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .replace(/\(unknown path\)\s*/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Render one value: strings are templates; arrays and plain objects are rendered item by item. */
export function renderValue(value: unknown, context: Record<string, unknown>, field: string): unknown {
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value;
    try {
      return compile(value).render(context);
    } catch (err) {
      throw new TemplateRenderError(field, oneLine(err));
    }
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, context, field));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, context, field);
    return out;
  }
  return value;
}

/** Render every templated field; throws TemplateRenderError naming the first field that fails. */
export function renderTemplatedFields(
  fields: Record<string, unknown>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) rendered[field] = renderValue(value, context, field);
  return rendered;
}
