import { DagDefinitionError, errorMessage } from '../core/errors';
import {
  compileParamSchema,
  paramValueProblem,
  shortJson,
  type ParamSchema,
  type ParamSpec,
} from '../core/param-schema';
import { toJsonValue } from './to-json-value';

/** Brand shared by every copy of the SDK (DAG files may load their own), like SDK_KIND. */
const PARAM_KIND = Symbol.for('dagctl.param');

/** A declared param: its default value and the JSON schema every value must match. */
export interface Param {
  readonly [PARAM_KIND]: true;
  readonly default: unknown;
  readonly schema: ParamSchema;
}

/**
 * Declare a DAG param with a default and a JSON schema (Airflow's `Param(default, **schema)`):
 * `params: { n: param(1, { type: 'integer', minimum: 0 }) }`. Pass `undefined` as the default for a
 * param every run must supply in its conf.
 */
export function param(defaultValue: unknown, schema: ParamSchema = {}): Param {
  return { [PARAM_KIND]: true, default: defaultValue, schema: { ...schema } };
}

export function isParam(value: unknown): value is Param {
  return typeof value === 'object' && value !== null && (value as { [PARAM_KIND]?: unknown })[PARAM_KIND] === true;
}

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/**
 * An Airflow-style param written as a plain object — `{ type: 'integer', default: 5, minimum: 0 }`
 * (a DAG ported from Python, or a YAML DAG). It is recognised by a JSON type in `type`; its
 * `default` is the value, the rest its schema.
 */
function airflowStyleParam(value: unknown): Param | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  // A plain object from any realm (DAG files may be evaluated in their own vm context, whose
  // Object.prototype is not ours): its prototype is null or a prototype without one.
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && Object.getPrototypeOf(proto) !== null) return null;
  const { type } = value as { type?: unknown };
  const types = Array.isArray(type) ? type : [type];
  if (types.length === 0 || !types.every((t) => typeof t === 'string' && JSON_TYPES.includes(t))) return null;
  const { default: defaultValue, ...schema } = value as Record<string, unknown>;
  return param(defaultValue, schema);
}

export interface ResolvedParams {
  /** Every param at its default value (null for a param without one): what tasks see by default. */
  values: Record<string, unknown>;
  /** The schemas, for validating conf when a run is triggered. */
  specs: Record<string, ParamSpec>;
}

/**
 * Turn a DAG's `params` option into values and schemas. A schema that does not compile or a
 * default that fails its schema is a DAG definition error (an import error) naming DAG and param.
 */
export function resolveParams(dagId: string, raw: Record<string, unknown>): ResolvedParams {
  const values: Record<string, unknown> = {};
  const specs: Record<string, ParamSpec> = {};
  for (const [name, value] of Object.entries(raw)) {
    const declared = isParam(value) ? value : airflowStyleParam(value);
    if (!declared) {
      values[name] = value;
      continue;
    }
    const fail = (reason: string): never => {
      throw new DagDefinitionError(`DAG '${dagId}': param '${name}' ${reason}`);
    };
    const schema = toJsonValue(declared.schema) as ParamSchema;
    try {
      compileParamSchema(schema);
    } catch (err) {
      fail(`has an invalid schema: ${errorMessage(err)}`);
    }
    const hasDefault = declared.default !== undefined;
    if (hasDefault) {
      const defaultValue = toJsonValue(declared.default);
      const problem = paramValueProblem(schema, defaultValue);
      if (problem) fail(`default ${shortJson(defaultValue)} ${problem}`);
      values[name] = defaultValue;
    } else {
      values[name] = null;
    }
    specs[name] = { schema, hasDefault };
  }
  return { values, specs };
}
