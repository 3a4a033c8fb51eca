/**
 * Every config key with its default. Keys are Airflow-style snake_case inside sections; the
 * env override is DAGCTL__<SECTION>__<KEY> (upper case). Defaults that depend on DAGCTL_HOME are
 * filled in by the loader. Durations may be ms numbers or strings like '30s'.
 */
export const CONFIG_DEFAULTS = {
  core: {
    dags_folder: '', // $DAGCTL_HOME/dags
    executor: 'local' as 'sequential' | 'local' | 'bullmq',
    parallelism: 32,
    max_active_tasks_per_dag: 16,
    max_active_runs_per_dag: 16,
    dags_are_paused_at_creation: false,
    dagbag_import_timeout: '30s' as string | number,
    default_task_retries: 0,
    fernet_key: '',
  },
  database: {
    url: '', // sqlite:///$DAGCTL_HOME/dagctl.db
    pool_size: 10,
  },
  redis: {
    url: 'redis://127.0.0.1:6379',
    key_prefix: 'dagctl',
  },
  scheduler: {
    /** Longest sleep of an idle scheduler loop; events wake it sooner. */
    idle_sleep: '1s' as string | number,
    /** Periodic full rescan of the dags folder, besides file-system events. */
    dag_dir_list_interval: '30s' as string | number,
    /** While file-system events are watched, how often a rescan still checks every DAG file (mtime, size). */
    dag_file_recheck_interval: '5m' as string | number,
    parsing_processes: 2,
    max_dagruns_per_loop: 50,
    max_tis_per_query: 512,
    /** A task instance queued longer than this is re-queued (or failed after its retries). */
    task_queued_timeout: '10m' as string | number,
    /** A running task whose executor lost track of it for this long is a zombie. */
    zombie_threshold: '5m' as string | number,
    heartbeat_interval: '5s' as string | number,
  },
  local: {
    /** 'warm': a pool of reused child processes; 'fork': one fresh process per task. */
    mode: 'warm' as 'warm' | 'fork',
    max_tasks_per_child: 1000,
    max_memory_per_child_mb: 512,
  },
  worker: {
    queues: 'default',
    concurrency: 8,
    shutdown_timeout: '60s' as string | number,
  },
  webserver: {
    host: '127.0.0.1',
    port: 8080,
    secret_key: '',
    session_lifetime: '12h' as string | number,
    base_url: '',
  },
  logging: {
    base_log_folder: '', // $DAGCTL_HOME/logs
    level: 'info',
    format: 'text' as 'text' | 'json',
    /** A task log is cut off (with a notice) beyond this many bytes per attempt. */
    task_log_max_bytes: 50 * 1024 * 1024,
  },
};

export type DagctlConfig = {
  -readonly [S in keyof typeof CONFIG_DEFAULTS]: {
    -readonly [K in keyof (typeof CONFIG_DEFAULTS)[S]]: (typeof CONFIG_DEFAULTS)[S][K];
  };
};

/** Keys whose values are masked by `dagctl config list`. */
export const SECRET_KEYS = ['core.fernet_key', 'webserver.secret_key', 'database.url', 'redis.url'];
