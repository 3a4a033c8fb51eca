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
  /**
   * `tasks test -t`: params given for one test try, merged over the defaults and under the conf, as
   * Airflow's `task.params.update()` is (they apply whatever core.dag_run_conf_overrides_params says).
   */
  taskParams?: Record<string, unknown>;
}

/**
 * The params a run's tasks will see — conf merged over the defaults, as Airflow does — checked
 * against every declared schema. Throws InvalidArgumentError naming the first bad field, so a
 * trigger can refuse the conf before it creates anything.
 */
export function resolveRunParams(input: RunParamsInput): Record<string, unknown> {
  const taskParams = input.taskParams ?? {};
  const params = { ...input.defaults, ...taskParams, ...(input.confOverridesParams ? input.conf : {}) };
  for (const [name, spec] of Object.entries(input.specs)) {
    const fromConf = input.confOverridesParams && Object.prototype.hasOwnProperty.call(input.conf, name);
    const fromTaskParams = !fromConf && Object.prototype.hasOwnProperty.call(taskParams, name);
    if (!(name in params) || (!spec.hasDefault && !fromConf && !fromTaskParams)) {
      const setBy = input.taskParams ? 'conf or task params' : 'conf';
      throw new InvalidArgumentError(
        input.confOverridesParams
          ? `DAG '${input.dagId}': param '${name}' has no default, so ${setBy} must set it (e.g. {"${name}": …})`
          : `DAG '${input.dagId}': param '${name}' has no default, and conf cannot set it while ` +
              'core.dag_run_conf_overrides_params is false',
      );
    }
    const problem = paramValueProblem(spec.schema, params[name]);
    if (problem) {
      const source = fromConf
        ? `conf field '${name}'`
        : fromTaskParams
          ? `task params field '${name}'`
          : `param '${name}' (default)`;
      throw new InvalidArgumentError(`DAG '${input.dagId}': ${source} ${problem}, got ${shortJson(params[name])}`);
    }
  }
  return params;
}
