import { InvalidArgumentError } from './errors';
import { paramValueProblem, shortJson, type ParamSpec } from './param-schema';

export interface RunParamsInput {
  dagId: string;
  /** The DAG's params resolved to their default values. */
  defaults: Record<string, unknown>;
  /** Schemas of the params that declared one. */
  specs: Record<string, ParamSpec>;
  conf: Record<string, unknown>;
  /** core.dag_run_conf_overrides_params: false keeps conf out of params (it stays in dag_run.conf). */
  confOverridesParams: boolean;
}

/**
 * The params a run's tasks will see — conf merged over the defaults, as Airflow does — checked
 * against every declared schema. Throws InvalidArgumentError naming the first bad field, so a
 * trigger can refuse the conf before it creates anything.
 */
export function resolveRunParams(input: RunParamsInput): Record<string, unknown> {
  const params = input.confOverridesParams ? { ...input.defaults, ...input.conf } : { ...input.defaults };
  for (const [name, spec] of Object.entries(input.specs)) {
    const fromConf = input.confOverridesParams && Object.prototype.hasOwnProperty.call(input.conf, name);
    if (!(name in params) || (!spec.hasDefault && !fromConf)) {
      throw new InvalidArgumentError(
        input.confOverridesParams
          ? `DAG '${input.dagId}': param '${name}' has no default, so conf must set it (e.g. {"${name}": …})`
          : `DAG '${input.dagId}': param '${name}' has no default, and conf cannot set it while ` +
              'core.dag_run_conf_overrides_params is false',
      );
    }
    const problem = paramValueProblem(spec.schema, params[name]);
    if (problem) {
      const source = fromConf ? `conf field '${name}'` : `param '${name}' (default)`;
      throw new InvalidArgumentError(`DAG '${input.dagId}': ${source} ${problem}, got ${shortJson(params[name])}`);
    }
  }
  return params;
}
