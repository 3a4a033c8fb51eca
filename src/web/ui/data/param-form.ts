import type { ParamSchema, ParamSpec } from '../../../core/param-schema';
import type { SerializedDag } from '../../../core/serialized-dag';

/** How a param is edited in the trigger form, chosen from its JSON schema (or its default's type). */
export type ParamWidget = 'select' | 'number' | 'boolean' | 'text' | 'json';

export interface ParamOption {
  /** The option's value as JSON, so enums of numbers or null survive the form. */
  value: string;
  label: string;
  selected: boolean;
}

export interface ParamField {
  name: string;
  /** Form field name: `param:<name>`. */
  field: string;
  label: string;
  type: string | null;
  description: string | null;
  widget: ParamWidget;
  /** The value shown in the input (JSON for the json widget). */
  value: string;
  options: ParamOption[];
  /** Declared without a default: the form must supply it. */
  required: boolean;
  /** number inputs: '1' for integers, 'any' otherwise. */
  step: string;
  minimum: number | null;
  maximum: number | null;
}

const FIELD_PREFIX = 'param:';

function jsonTypeOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The declared type, ignoring 'null' in a union like ['null', 'string']. */
function mainType(schema: ParamSchema, value: unknown): string | null {
  const declared = schema.type;
  const types = (Array.isArray(declared) ? declared : [declared]).filter(
    (t): t is string => typeof t === 'string' && t !== 'null',
  );
  return types[0] ?? jsonTypeOf(value);
}

/**
 * A param stored by an older dagctl (or seeded by hand) as an Airflow-serialized Param object:
 * `{ value | default, type, description }`. Current DAGs store the value and put the schema in paramSpecs.
 */
function legacySpec(raw: unknown): { value: unknown; schema: ParamSchema } | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const keys = Object.keys(raw);
  const known = ['value', 'default', 'type', 'description', 'title', 'enum', 'minimum', 'maximum'];
  if (!keys.length || !keys.every((k) => known.includes(k)) || !('value' in raw || 'default' in raw)) return null;
  const { value, default: defaultValue, ...schema } = raw as Record<string, unknown>;
  return { value: 'value' in raw ? value : defaultValue, schema };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function describeField(name: string, value: unknown, spec: ParamSpec | undefined): ParamField {
  const legacy = spec ? null : legacySpec(value);
  const schema: ParamSchema = spec?.schema ?? legacy?.schema ?? {};
  const current = legacy ? legacy.value : value;
  const required = spec ? !spec.hasDefault : false;
  const type = mainType(schema, current);
  const enumValues = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : null;
  let widget: ParamWidget;
  if (enumValues) widget = 'select';
  else if (type === 'boolean') widget = 'boolean';
  else if (type === 'integer' || type === 'number') widget = 'number';
  else if (type === 'string') widget = 'text';
  else widget = 'json';
  const options = enumValues
    ? enumValues.map((option) => ({
        value: JSON.stringify(option),
        label: typeof option === 'string' ? option : JSON.stringify(option),
        selected: !required && JSON.stringify(option) === JSON.stringify(current),
      }))
    : [];
  let shown = '';
  if (!required && current !== null && current !== undefined) {
    if (typeof current === 'string' && widget !== 'json') shown = current;
    else shown = widget === 'json' ? JSON.stringify(current, null, 2) : JSON.stringify(current);
  }
  return {
    name,
    field: `${FIELD_PREFIX}${name}`,
    label: typeof schema.title === 'string' ? schema.title : name,
    type: Array.isArray(schema.type) ? (schema.type as string[]).join(' | ') : (type ?? null),
    description: typeof schema.description === 'string' ? schema.description : null,
    widget,
    value: shown,
    options,
    required,
    step: type === 'integer' ? '1' : 'any',
    minimum: numberOrNull(schema.minimum),
    maximum: numberOrNull(schema.maximum),
  };
}

/** The trigger form's fields: one per DAG param, in declaration order, with its default filled in. */
export function paramFields(dag: Pick<SerializedDag, 'params' | 'paramSpecs'>): ParamField[] {
  return Object.entries(dag.params ?? {}).map(([name, value]) => describeField(name, value, dag.paramSpecs?.[name]));
}

/** A typed value from a form input; what cannot be converted stays text, so the schema check names it. */
function fieldValue(field: ParamField, raw: string): unknown {
  switch (field.widget) {
    case 'select':
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'number': {
      const number = Number(raw);
      return raw.trim() !== '' && Number.isFinite(number) ? number : raw;
    }
    default:
      return raw;
  }
}

/**
 * The conf a posted trigger form asks for: every filled-in param field, typed by its schema. An
 * empty field is left out, so the param keeps its default (or, without one, is reported missing).
 */
export function confFromParamFields(fields: ParamField[], body: Record<string, unknown>): Record<string, unknown> {
  const conf: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = body[field.field];
    if (typeof raw !== 'string' || raw === '') continue;
    conf[field.name] = fieldValue(field, raw);
  }
  return conf;
}

/** Fields re-shown after an error keep what the user typed. */
export function withPostedValues(fields: ParamField[], body: Record<string, unknown>): ParamField[] {
  return fields.map((field) => {
    const raw = body[field.field];
    if (typeof raw !== 'string') return field;
    return {
      ...field,
      value: raw,
      options: field.options.map((option) => ({ ...option, selected: option.value === raw })),
    };
  });
}
