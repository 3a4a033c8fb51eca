import type { TaskConnection } from '../authoring/task-context';
import type { TaskWorkload } from '../core/executor';
import { TemplateDate, airflowIso, dsOf, tsNodashOf } from './template-date';

export interface TemplateContextInput {
  workload: TaskWorkload;
  /** DAG params with dag_run.conf applied over them (Airflow's default). */
  params: Record<string, unknown>;
  /** Looks up a variable (env first), or null when no template mentions `var` (then `var` lookups fail clearly). */
  variables: ((key: string) => string | undefined) | null;
  /** The connections the templates name as `conn.<id>`, loaded beforehand. */
  connections?: ReadonlyMap<string, TaskConnection>;
  xcomPull: (taskId: string, key?: string) => unknown;
}

/** The names Airflow templates use: ds, ts, logical_date, params, dag_run, var, ti, macros… */
export function buildTemplateContext(input: TemplateContextInput): Record<string, unknown> {
  const { workload } = input;
  const { key } = workload;
  const logicalDate = new TemplateDate(workload.logicalDate);
  const ds = dsOf(logicalDate);
  const intervalStart = workload.dataIntervalStart ? new TemplateDate(workload.dataIntervalStart) : null;
  const intervalEnd = workload.dataIntervalEnd ? new TemplateDate(workload.dataIntervalEnd) : null;
  const ti = {
    try_number: workload.tryNumber,
    max_tries: workload.maxTries,
    task_id: key.taskId,
    dag_id: key.dagId,
    run_id: key.runId,
    map_index: key.mapIndex,
    /** `ti.xcom_pull('t')`, `ti.xcom_pull(task_ids='t', key='k')`. */
    xcom_pull: (...args: unknown[]) => xcomPullFromTemplate(input.xcomPull, args),
  };
  return {
    ds,
    ds_nodash: ds.replace(/-/g, ''),
    ts: airflowIso(logicalDate),
    ts_nodash: tsNodashOf(logicalDate),
    logical_date: logicalDate,
    execution_date: logicalDate,
    data_interval_start: intervalStart,
    data_interval_end: intervalEnd,
    run_id: key.runId,
    params: input.params,
    dag_run: {
      conf: workload.conf,
      run_id: key.runId,
      run_type: workload.runType,
      logical_date: logicalDate,
      data_interval_start: intervalStart,
      data_interval_end: intervalEnd,
    },
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
    conn: connectionView(input.connections ?? new Map()),
    ti,
    task_instance: ti,
    task: { task_id: key.taskId, dag_id: key.dagId },
    dag: { dag_id: key.dagId },
    macros: { ds_add: dsAdd, ds_format: dsFormat },
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
function dsFormat(ds: string, _inputFormat: string, outputFormat: string): string {
  const date = new TemplateDate(String(ds).length <= 10 ? `${ds}T00:00:00Z` : ds);
  if (Number.isNaN(date.getTime())) throw new Error(`macros.ds_format: cannot parse '${ds}'`);
  return date.strftime(outputFormat);
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

/** `conn.<id>.host|port|login|password|schema|extra|extra_dejson|conn_type`, `conn.<id>.get_uri()`. */
function connectionView(connections: ReadonlyMap<string, TaskConnection>): object {
  return new Proxy(
    {},
    {
      get(_target, prop) {
        if (typeof prop === 'symbol' || prop in Object.prototype) return undefined;
        const conn = connections.get(prop);
        if (!conn) throw new Error(`Connection '${prop}' is not defined`);
        return {
          conn_id: conn.connId,
          conn_type: conn.connType,
          host: conn.host,
          port: conn.port,
          login: conn.login,
          password: conn.password,
          schema: conn.schema,
          extra: JSON.stringify(conn.extra),
          extra_dejson: conn.extra,
          get_uri: () => conn.uri,
        };
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
