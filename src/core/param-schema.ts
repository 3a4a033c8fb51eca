import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';

/** A param's JSON schema as declared in a DAG (`param(default, schema)`), kept as plain JSON. */
export type ParamSchema = Record<string, unknown>;

/** What the stored DAG keeps about a param beside its default value. */
export interface ParamSpec {
  schema: ParamSchema;
  /** False for a param declared without a default: a run must then supply it in its conf. */
  hasDefault: boolean;
}

let ajv: Ajv | null = null;
/**
 * One validator for the process, made on first use: ajv takes ~70 ms of CPU to load, which every
 * task and parse process would otherwise pay at start-up though most DAGs declare no schema.
 * strict: false because DAG authors write schemas the way Airflow accepts them (annotations like
 * `title` or `section` beside the keywords); a schema ajv cannot compile is still an error.
 */
function validator(): Ajv {
  if (ajv) return ajv;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const AjvClass = (require('ajv') as typeof import('ajv')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const made = new AjvClass({ strict: false, allErrors: false, useDefaults: false });
  addFormats(made);
  ajv = made;
  return made;
}

// Schemas come from stored DAGs; the same few are checked on every trigger.
const compiled = new Map<string, ValidateFunction>();
const COMPILED_LIMIT = 500;

/** Compile a schema (cached by its JSON); throws with ajv's reason when the schema is invalid. */
export function compileParamSchema(schema: ParamSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = validator().compile(schema);
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Check one value against a param's schema. Returns null when it is valid, else a short reason
 * ("must be integer", "at /limit: must be >= 0").
 */
export function paramValueProblem(schema: ParamSchema, value: unknown): string | null {
  const validate = compileParamSchema(schema);
  if (validate(value)) return null;
  return describeAjvError(validate.errors?.[0]);
}

function describeAjvError(error: ErrorObject | undefined): string {
  if (!error) return 'does not match its schema';
  const where = error.instancePath ? `at ${error.instancePath}: ` : '';
  const allowed =
    error.keyword === 'enum' && Array.isArray((error.params as { allowedValues?: unknown }).allowedValues)
      ? ` ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`
      : '';
  return `${where}${error.message ?? 'does not match its schema'}${allowed}`;
}

/** A value shortened for an error message. */
export function shortJson(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
