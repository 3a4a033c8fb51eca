import type { TaskWorkload } from '../core/executor';
import { TemplateDate, airflowIso, dsOf, tsNodashOf } from './template-date';
import { strictView } from './strict-view';

/** What `{{ conn.<id> }}` gives: Airflow's Connection attributes. */
export interface TemplateConnection {
  conn_id: string;
  conn_type: string | null;
  host: string | null;
  port: number | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  /** The extra field as text (Airflow's `extra`). */
  extra: string | null;
  /** The extra field parsed (Airflow's `extra_dejson`). */
  extra_dejson: Record<string, unknown>;
  /** Airflow's URI form (`conn.<id>.get_uri()`). */
  get_uri?: () => string;
}

/**
 * Supplies `{{ conn.<id>… }}`: the connection, or undefined when there is none of that id. The
 * secrets work plugs its source in here (env DAGCTL_CONN_*, then the database, with masking).
 */
export type TemplateConnectionLookup = (connId: string) => TemplateConnection | undefined;

export interface TemplateContextInput {
  workload: TaskWorkload;
  /** DAG params with dag_run.conf applied over them (Airflow's default). */
  params: Record<string, unknown>;
  /** Looks up a variable (env first), or null when no template mentions `var` (then `var` lookups fail clearly). */
  variables: ((key: string) => string | undefined) | null;
  /** Connections, or null when none are available here (then `conn` lookups fail clearly). */
  connections?: TemplateConnectionLookup | null;
  xcomPull: (taskId: string, key?: string) => unknown;
  /** 'strict' (default): an unknown name or attribute fails the render, naming it. */
  undefinedNames?: 'strict' | 'empty';
}

/** The names of contract §3 (ds, ts, logical_date, params, dag_run, var, conn, ti, macros…). */
export function buildTemplateContext(input: TemplateContextInput): Record<string, unknown> {
  const { workload } = input;
  const { key } = workload;
  const strict = (input.undefinedNames ?? 'strict') === 'strict';
  const view = <T extends object>(value: T, name: string): T => (strict ? strictView(value, name) : value);
  const date = (iso: string | null | undefined): TemplateDate | null => (iso ? new TemplateDate(iso) : null);

  const logicalDate = new TemplateDate(workload.logicalDate);
  const ds = dsOf(logicalDate);
  const dsNodash = ds.replace(/-/g, '');
  const intervalStart = date(workload.dataIntervalStart);
  const intervalEnd = date(workload.dataIntervalEnd);
  const prev = workload.prevSuccess ?? null;
  const ti = {
    try_number: workload.tryNumber,
    max_tries: workload.maxTries,
    task_id: key.taskId,
    dag_id: key.dagId,
    run_id: key.runId,
    map_index: key.mapIndex,
    /** `ti.xcom_pull('t')`, `ti.xcom_pull(task_ids='t', key='k')`. */
    xcom_pull: (...args: unknown[]) => xcomPullFromTemplate(input.xcomPull, args),
    toString: () => `<TaskInstance: ${key.dagId}.${key.taskId} ${key.runId} [running]>`,
  };
  const dagRun = {
    dag_id: key.dagId,
    conf: workload.conf ?? {},
    run_id: key.runId,
    run_type: workload.runType,
    external_trigger: workload.runType === 'manual',
    logical_date: logicalDate,
    execution_date: logicalDate,
    data_interval_start: intervalStart,
    data_interval_end: intervalEnd,
    toString: () =>
      `<DagRun ${key.dagId} @ ${airflowIso(logicalDate)}: ${key.runId}, state:running, ` +
      `externally triggered: ${workload.runType === 'manual' ? 'True' : 'False'}>`,
  };
  return {
    ds,
    ds_nodash: dsNodash,
    ts: airflowIso(logicalDate),
    ts_nodash: tsNodashOf(logicalDate),
    ts_nodash_with_tz: `${tsNodashOf(logicalDate)}+0000`,
    logical_date: logicalDate,
    execution_date: logicalDate,
    data_interval_start: intervalStart,
    data_interval_end: intervalEnd,
    prev_data_interval_start_success: date(prev?.dataIntervalStart),
    prev_data_interval_end_success: date(prev?.dataIntervalEnd),
    prev_start_date_success: date(prev?.startDate),
    run_id: key.runId,
    task_instance_key_str: `${key.dagId}__${key.taskId}__${dsNodash}`,
    params: view(input.params, 'params'),
    dag_run: view(dagRun, 'dag_run'),
    var: {
      value: variableView(input.variables, (raw) => raw),
      json: variableView(input.variables, (raw, name) => {
        try {
          return JSON.parse(raw);
        } catch {
          throw new Error(`Variable '${name}' is not valid JSON`);
        }
      }),
    },
    conn: connectionView(input.connections ?? null, view),
    ti: view(ti, 'ti'),
    task_instance: view(ti, 'task_instance'),
    task: view({ task_id: key.taskId, dag_id: key.dagId }, 'task'),
    dag: view({ dag_id: key.dagId }, 'dag'),
    macros: view({ ds_add: dsAdd, ds_format: dsFormat }, 'macros'),
    triggering_dataset_events: triggeringDatasetEventsByUri(workload),
  };
}

/** Airflow's macros.ds_add('2026-01-05', -2) → '2026-01-03'. */
export function dsAdd(ds: string, days: number): string {
  const date = new Date(`${String(ds).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new Error(`macros.ds_add: '${ds}' is not a YYYY-MM-DD date`);
  date.setUTCDate(date.getUTCDate() + Number(days));
  return dsOf(date);
}

/** macros.ds_format('2026-01-05', '%Y-%m-%d', '%Y%m%d'): only ISO-like input is parsed. */
export function dsFormat(ds: string, _inputFormat: string, outputFormat: string): string {
  const text = String(ds);
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const iso = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : text;
  const date = new TemplateDate(iso.length <= 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) throw new Error(`macros.ds_format: cannot parse '${ds}'`);
  return date.strftime(outputFormat);
}

/** `conn.<id>.host`…: an unknown id fails the render, as in Airflow. */
function connectionView(
  lookup: TemplateConnectionLookup | null,
  view: <T extends object>(value: T, name: string) => T,
): object {
  return new Proxy(
    {},
    {
      get(_target, prop) {
        if (typeof prop === 'symbol' || prop in Object.prototype) return undefined;
        if (lookup === null) throw new Error(`connection '${prop}' cannot be read: no connections are available here`);
        const connection = lookup(prop);
        if (connection === undefined) throw new Error(`connection '${prop}' is not defined`);
        return view(connection, `conn.${prop}`);
      },
    },
  );
}

/** `var.value.x` / `var.value.get('x', default)`: an unknown name fails the render, as in Airflow. */
function variableView(
  variables: ((key: string) => string | undefined) | null,
  convert: (raw: string, name: string) => unknown,
): object {
  const lookup = (name: string): string | undefined => {
    if (variables === null) throw new Error('variables are not available here');
    return variables(name);
  };
  return new Proxy(
    {},
    {
      get(_target, prop) {
        if (typeof prop === 'symbol' || prop in Object.prototype) return undefined;
        if (prop === 'get') {
          return (name: string, fallback: unknown = null) => {
            const raw = lookup(String(name));
            return raw === undefined ? fallback : convert(raw, String(name));
          };
        }
        const raw = lookup(prop);
        if (raw === undefined) throw new Error(`Variable '${prop}' does not exist`);
        return convert(raw, prop);
      },
    },
  );
}

function xcomPullFromTemplate(pull: (taskId: string, key?: string) => unknown, args: unknown[]): unknown {
  // Nunjucks passes keyword arguments as a trailing object tagged __keywords.
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const keywords = last && typeof last === 'object' && last.__keywords ? (args.pop() as Record<string, unknown>) : {};
  const taskIds = keywords.task_ids ?? args[0];
  const key = (keywords.key ?? args[1] ?? 'return_value') as string;
  if (Array.isArray(taskIds)) return taskIds.map((id) => pull(String(id), key));
  return pull(String(taskIds), key);
}

/** Airflow's `triggering_dataset_events`: dataset URI → its events that triggered the run. */
function triggeringDatasetEventsByUri(workload: TaskWorkload): Record<string, unknown[]> {
  const byUri: Record<string, unknown[]> = {};
  for (const e of workload.triggeringDatasetEvents ?? []) {
    (byUri[e.datasetUri] ??= []).push({
      dataset_uri: e.datasetUri,
      extra: e.extra ?? {},
      source_dag_id: e.sourceDagId,
      source_run_id: e.sourceRunId,
      source_task_id: e.sourceTaskId,
      source_map_index: e.sourceMapIndex,
      timestamp: e.timestamp,
    });
  }
  return byUri;
}
