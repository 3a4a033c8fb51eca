export interface ParamField {
  name: string;
  value: unknown;
  type: string | null;
  description: string | null;
}

function isParamSpec(
  value: unknown,
): value is { value?: unknown; default?: unknown; type?: unknown; description?: unknown } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length > 0 &&
    keys.every((key) =>
      ['value', 'default', 'type', 'description', 'title', 'enum', 'minimum', 'maximum', 'schema'].includes(key),
    ) &&
    ('value' in value || 'default' in value)
  );
}

/**
 * The DAG's params as form fields: plain values as they are, and Airflow-style Param objects
 * (`{ value | default, type, description }`) unwrapped to their value.
 */
export function paramFields(params: Record<string, unknown> | null | undefined): ParamField[] {
  return Object.entries(params ?? {}).map(([name, raw]) => {
    if (isParamSpec(raw)) {
      return {
        name,
        value: 'value' in raw ? raw.value : raw.default,
        type: typeof raw.type === 'string' ? raw.type : null,
        description: typeof raw.description === 'string' ? raw.description : null,
      };
    }
    return { name, value: raw, type: null, description: null };
  });
}

/** The conf a trigger form starts with: every param at its default. */
export function defaultConf(params: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(paramFields(params).map((field) => [field.name, field.value ?? null]));
}
