import { CONFIG_SCHEMA, DagctlConfig } from '../config/config-schema';

/**
 * What a DAG or task gets for an option it does not set, from the config:
 * `core.max_active_tasks_per_dag`, `core.max_active_runs_per_dag` and `core.default_task_retries`.
 *
 * They are applied when a DAG file is parsed, as Airflow reads its config when a DAG or operator
 * is constructed, rather than by the scheduler when it reads a serialized DAG: the serialized DAG
 * then holds the effective values, so the scheduler, the API and UI "details", the CLI and the
 * dag table all show the one number that is in force, and none of them needs the config to work
 * it out. The DAG processor passes them to its parser children and re-parses a file whose DAGs
 * were stored with other defaults (see synced-source-hashes.ts), so a changed config takes effect
 * at the next start.
 */
export interface AuthoringDefaults {
  maxActiveTasks: number;
  maxActiveRuns: number;
  retries: number;
}

/** The defaults of a config. */
export function authoringDefaultsFrom(config: Pick<DagctlConfig, 'core'>): AuthoringDefaults {
  return {
    maxActiveTasks: config.core.max_active_tasks_per_dag,
    maxActiveRuns: config.core.max_active_runs_per_dag,
    retries: config.core.default_task_retries,
  };
}

/** Outside a DAG file load that was given defaults (tests, code building DAGs itself): the config's defaults. */
const BUILT_IN: AuthoringDefaults = Object.freeze({
  maxActiveTasks: CONFIG_SCHEMA.core.max_active_tasks_per_dag.default,
  maxActiveRuns: CONFIG_SCHEMA.core.max_active_runs_per_dag.default,
  retries: CONFIG_SCHEMA.core.default_task_retries.default,
});

/** On the global object under a global symbol, like the DAG registry, so every copy of the SDK sees it. */
const SLOT = Symbol.for('dagctl.authoringDefaults');

type DefaultsHost = { [SLOT]?: AuthoringDefaults };

/** The defaults DAGs and tasks constructed now take. */
export function currentAuthoringDefaults(host: object = globalThis): AuthoringDefaults {
  return (host as DefaultsHost)[SLOT] ?? BUILT_IN;
}

/** Set (or, with undefined, clear) the defaults on `host` while a DAG file is imported. */
export function setAuthoringDefaults(host: object, defaults: AuthoringDefaults | undefined): void {
  if (defaults) (host as DefaultsHost)[SLOT] = Object.freeze({ ...defaults });
  else delete (host as DefaultsHost)[SLOT];
}
