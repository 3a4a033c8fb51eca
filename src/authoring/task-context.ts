import type { TriggeringDatasetEvent } from '../core/dataset';
import type { ExternalRunQuery, ExternalRunStates, TriggeredRun, TriggerRunRequest } from '../core/cross-dag';

/** What a running task sees (`fn(ctx)`), with the contract's names. */
export interface TaskLogger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
}

/** A connection as a task sees it (`ctx.connection(id)`), Airflow's Connection fields. */
export interface TaskConnection {
  connId: string;
  connType: string;
  host: string | null;
  port: number | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  /** The extra JSON parsed (an empty object when none). */
  extra: Record<string, unknown>;
  /** Airflow's URI form, `type://login:password@host:port/schema?extra`. */
  uri: string;
  getUri(): string;
}

/** `ctx.variables`: environment `DAGCTL_VAR_<KEY>` first, then the metadata database. */
export interface TaskVariables {
  /** The raw value; without a default, a missing variable fails the call. */
  get(key: string, defaultValue?: string): Promise<string>;
  /** The value parsed as JSON; without a default, a missing variable fails the call. */
  getJson<T = unknown>(key: string, defaultValue?: T): Promise<T>;
}

export interface TaskContext {
  dagId: string;
  taskId: string;
  runId: string;
  mapIndex: number;
  tryNumber: number;
  maxTries: number;
  logicalDate: Date;
  /** logicalDate as YYYY-MM-DD. */
  ds: string;
  /** logicalDate as ISO-8601. */
  ts: string;
  dataIntervalStart: Date | null;
  dataIntervalEnd: Date | null;
  params: Record<string, unknown>;
  dagRun: { runId: string; runType: string; conf: Record<string, unknown>; logicalDate: Date };
  /** Value a task of this run pushed (default key 'return_value'); undefined if none. */
  xcomPull<T = unknown>(taskId: string, key?: string): T | undefined;
  /** Push an extra XCom under `key` (the return value is pushed as 'return_value'). */
  xcomPush(key: string, value: unknown): void;
  /** Lines land in the task log of this attempt. */
  log: TaskLogger;
  /** Variables (env `DAGCTL_VAR_<KEY>`, then the database). */
  variables: TaskVariables;
  /** A connection (env `DAGCTL_CONN_<ID>`, then the database); an unknown id fails the call. */
  connection(connId: string): Promise<TaskConnection>;
  /**
   * From now on this value (a string or number; an object or array by its leaves) is shown as
   * `***` in the task log, its rendered fields and its XComs. Values under 3 characters are left alone.
   */
  maskSecret(value: unknown): void;
  /** Aborted when the try must stop (execution timeout, shutdown). */
  signal: AbortSignal;
  /** Sensors in reschedule mode: when the first poke of this task instance happened. */
  firstRescheduleDate?: Date | null;
  /** A dataset-triggered run: the dataset events that triggered it, oldest first (empty otherwise). */
  triggeringDatasetEvents: TriggeringDatasetEvent[];
  /** Another DAG's run and some of its task states, or null (ExternalTaskSensor uses it). */
  externalRun(query: ExternalRunQuery): Promise<ExternalRunStates | null>;
  /** Create a run of another DAG as this task instance (TriggerDagRunOperator uses it). */
  triggerDagRun(request: Omit<TriggerRunRequest, 'triggeredByTask'>): Promise<TriggeredRun>;
}
