/**
 * Every config key: how it is read from the file (JSON) and the environment (text), its default,
 * and what it resolves to. Keys are Airflow-style snake_case inside sections; the env override is
 * DAGCTL__<SECTION>__<KEY> (upper case). A duration is written as a bare number of seconds (as in
 * airflow.cfg) or a string with a unit ('500ms', '30s', '5m') and resolves to milliseconds.
 * Defaults that depend on DAGCTL_HOME ('' here) are filled in by the loader.
 */

/** A duration in milliseconds (a resolved duration key). */
export type Milliseconds = number;

interface KeyInfo {
  /** Shown by `dagctl config list` beside the value. */
  note?: string;
  /** Masked by `dagctl config list`. */
  secret?: true;
}

export type KeySpec =
  | ({ kind: 'string'; default: string } & KeyInfo)
  | ({ kind: 'choice'; values: readonly string[]; default: string } & KeyInfo)
  | ({ kind: 'int'; min: number; default: number } & KeyInfo)
  | ({ kind: 'bool'; default: boolean } & KeyInfo)
  | ({ kind: 'duration'; default: string } & KeyInfo);

const text = (defaultValue: string, info: KeyInfo = {}) =>
  ({ kind: 'string', default: defaultValue, ...info }) as const;
const choice = <const V extends readonly string[]>(values: V, defaultValue: V[number]) =>
  ({ kind: 'choice', values, default: defaultValue }) as const;
const int = (defaultValue: number, min: number) => ({ kind: 'int', min, default: defaultValue }) as const;
const flag = (defaultValue: boolean, info: KeyInfo = {}) => ({ kind: 'bool', default: defaultValue, ...info }) as const;
const duration = (defaultValue: string) => ({ kind: 'duration', default: defaultValue }) as const;

export const CONFIG_SCHEMA = {
  core: {
    dags_folder: text(''), // $DAGCTL_HOME/dags
    executor: choice(['sequential', 'local', 'bullmq'], 'local'),
    parallelism: int(32, 1),
    /** For DAGs that set no maxActiveTasks (applied when DAG files are parsed). */
    max_active_tasks_per_dag: int(16, 1),
    /** For DAGs that set no maxActiveRuns (applied when DAG files are parsed). */
    max_active_runs_per_dag: int(16, 1),
    dags_are_paused_at_creation: flag(false, {
      note: "Airflow's default is true; dagctl's is false, so a new DAG runs without being unpaused",
    }),
    dagbag_import_timeout: duration('30s'),
    /**
     * For tasks that set no retries, neither themselves nor through defaultArgs (applied when DAG
     * files are parsed).
     */
    default_task_retries: int(0, 0),
    /** Extra comma-separated words that make a variable key or connection extra field secret. */
    sensitive_var_conn_names: text(''),
  },
  database: {
    url: text('', { secret: true }), // sqlite:///$DAGCTL_HOME/dagctl.db
    pool_size: int(10, 1),
  },
  redis: {
    url: text('redis://127.0.0.1:6379', { secret: true }),
    key_prefix: text('dagctl'),
  },
  scheduler: {
    /** Longest sleep of an idle scheduler loop; events wake it sooner. */
    idle_sleep: duration('1s'),
    /** Periodic full rescan of the dags folder, besides file-system events. */
    dag_dir_list_interval: duration('30s'),
    /** While file-system events are watched, how often a rescan still checks every DAG file (mtime, size). */
    dag_file_recheck_interval: duration('5m'),
    parsing_processes: int(2, 1),
    max_dagruns_per_loop: int(50, 1),
    max_tis_per_query: int(512, 1),
    /** A task instance queued longer than this is re-queued (or failed after its retries). */
    task_queued_timeout: duration('10m'),
    /** A running try of a scheduler that is gone is failed (or retried) once that scheduler was silent this long. */
    zombie_threshold: duration('5m'),
    heartbeat_interval: duration('5s'),
  },
  local: {
    /** 'warm': a pool of reused child processes; 'fork': one fresh process per task. */
    mode: choice(['warm', 'fork'], 'warm'),
    max_tasks_per_child: int(1000, 1),
    max_memory_per_child_mb: int(512, 1),
  },
  worker: {
    queues: text('default'),
    concurrency: int(8, 1),
    shutdown_timeout: duration('60s'),
  },
  webserver: {
    host: text('127.0.0.1'),
    port: int(8080, 0),
    secret_key: text('', { secret: true }),
    session_lifetime: duration('12h'),
    base_url: text(''),
  },
  logging: {
    base_log_folder: text(''), // $DAGCTL_HOME/logs
    level: text('info'),
    format: choice(['text', 'json'], 'text'),
    /** A task log is cut off (with a notice) beyond this many bytes per attempt. */
    task_log_max_bytes: int(50 * 1024 * 1024, 1),
  },
} as const satisfies Record<string, Record<string, KeySpec>>;

type Schema = typeof CONFIG_SCHEMA;

/** What a key resolves to: durations become milliseconds, choices their union of values. */
type ResolvedValue<S> = S extends { kind: 'duration' }
  ? Milliseconds
  : S extends { kind: 'int' }
    ? number
    : S extends { kind: 'bool' }
      ? boolean
      : S extends { kind: 'choice'; values: readonly (infer V)[] }
        ? V
        : string;

/** The resolved configuration, section by section, typed per key. */
export type DagctlConfig = {
  -readonly [S in keyof Schema]: { -readonly [K in keyof Schema[S]]: ResolvedValue<Schema[S][K]> };
};

/** Every key as [section, key, spec], in schema order. */
export function configKeys(): Array<[section: string, key: string, spec: KeySpec]> {
  return Object.entries(CONFIG_SCHEMA).flatMap(([section, keys]) =>
    Object.entries(keys as Record<string, KeySpec>).map(([key, spec]): [string, string, KeySpec] => [
      section,
      key,
      spec,
    ]),
  );
}

/** The spec of `section.key`, or undefined when there is no such key. */
export function keySpec(section: string, key: string): KeySpec | undefined {
  const keys = (CONFIG_SCHEMA as Record<string, Record<string, KeySpec>>)[section];
  return keys && Object.hasOwn(keys, key) ? keys[key] : undefined;
}
