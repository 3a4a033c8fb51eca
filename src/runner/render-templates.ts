import nunjucks from 'nunjucks';
import { strictGlobals } from './strict-view';

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

/** How a name that does not exist renders: 'strict' fails naming it; 'empty' renders ''. */
export type UndefinedNames = 'strict' | 'empty';

function makeEnvironment(mode: UndefinedNames): nunjucks.Environment {
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  if (mode === 'strict') {
    const withGlobals = env as unknown as { globals: Record<string, unknown> };
    withGlobals.globals = strictGlobals(withGlobals.globals);
  }
  return env;
}

const environments: Record<UndefinedNames, nunjucks.Environment> = {
  strict: makeEnvironment('strict'),
  empty: makeEnvironment('empty'),
};

/** Compiled templates, reused by warm processes (the same DAG runs again and again). */
const compiled = new Map<string, nunjucks.Template>();
const MAX_CACHED_TEMPLATES = 1000;

function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%') || text.includes('{#');
}

function compile(source: string, mode: UndefinedNames): nunjucks.Template {
  const cacheKey = `${mode}\u0000${source}`;
  let template = compiled.get(cacheKey);
  if (!template) {
    template = new nunjucks.Template(source, environments[mode], undefined, true);
    if (compiled.size >= MAX_CACHED_TEMPLATES) compiled.delete(compiled.keys().next().value as string);
    compiled.set(cacheKey, template);
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

/**
 * True when rendering would hand back every value as it is: each is a string without template
 * markers, a number, a boolean, null or undefined. (Arrays and objects are rendered even without
 * templates: a try gets its own copy, so task code that mutates one cannot leak into the next try.)
 */
export function rendersUnchanged(values: Iterable<unknown>): boolean {
  for (const value of values) {
    if (typeof value === 'string' ? isTemplate(value) : value !== null && typeof value === 'object') return false;
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return false;
  }
  return true;
}

/** True when some template among the values uses `var.` — only then are variables fetched. */
export function templatesMentionVariables(values: Iterable<unknown>): boolean {
  return templatesMention(values, /\bvar\s*[.[]/);
}

/** True when some template among the values names a prev_*_success value — only then is it looked up. */
export function templatesMentionPrevSuccess(values: Iterable<unknown>): boolean {
  return templatesMention(values, /\bprev_[a-z_]*_success\b/);
}

/** True when some template among the values uses `conn.` — only then are connections fetched. */
export function templatesMentionConnections(values: Iterable<unknown>): boolean {
  return templatesMention(values, /\bconn\s*[.[]/);
}

function templatesMention(values: Iterable<unknown>, pattern: RegExp): boolean {
  for (const value of values) {
    for (const text of stringsOf(value)) {
      if (isTemplate(text) && pattern.test(text)) return true;
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
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/\(unknown path\)\s*/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  // "[Line 1, Column 4] Error: Variable 'x' does not exist" → "Variable 'x' does not exist (line 1, column 4)":
  // the reason first; a syntax error (no error name) keeps nunjucks' own wording.
  const thrown = /^(?:\[Line (\d+), Column (\d+)\] )?(?:Template)?\w*Error: (.*)$/.exec(message);
  if (!thrown) return message;
  return thrown[1] ? `${thrown[3]} (line ${thrown[1]}, column ${thrown[2]})` : thrown[3];
}

/** Render one value: strings are templates; arrays and plain objects are rendered item by item. */
export function renderValue(
  value: unknown,
  context: Record<string, unknown>,
  field: string,
  mode: UndefinedNames = 'strict',
): unknown {
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value;
    try {
      return compile(value, mode).render(context);
    } catch (err) {
      throw new TemplateRenderError(field, oneLine(err));
    }
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, context, field, mode));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, context, field, mode);
    return out;
  }
  return value;
}

/** Render every templated field; throws TemplateRenderError naming the first field that fails. */
export function renderTemplatedFields(
  fields: Record<string, unknown>,
  context: Record<string, unknown>,
  mode: UndefinedNames = 'strict',
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) rendered[field] = renderValue(value, context, field, mode);
  return rendered;
}
