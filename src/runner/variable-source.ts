import type { DataSource } from 'typeorm';
import type { ConnectionFields } from '../core/connection-uri';
import type { ExternalRunQuery, ExternalRunStates, TriggeredRun, TriggerRunRequest } from '../core/cross-dag';
import type { PrevSuccess } from '../core/executor';
import type { TaskInstanceKey } from '../core/task-instance-key';

/**
 * Where a task's variables and connections come from after the environment (`DAGCTL_VAR_*`,
 * `DAGCTL_CONN_*`, checked first by the runner). Asked lazily, only for what a try reads: the
 * local runner reads the metadata DB; a task process asks its parent; a bullmq worker asks a
 * scheduler over Redis (workers hold no database credentials).
 */
export interface VariableSource {
  /** Every variable: key → raw string value (for `{{ var.… }}`). */
  getAll(): Promise<Record<string, string>>;
  /** One variable's raw value, or null when there is none. */
  getVariable(key: string): Promise<string | null>;
  /** One connection, password included, or null when there is none. */
  getConnection(connId: string): Promise<ConnectionFields | null>;
  /** Another DAG's run and some of its task states (ExternalTaskSensor, TriggerDagRunOperator); null: no such run. */
  externalRun(query: ExternalRunQuery): Promise<ExternalRunStates | null>;
  /** Create a run of another DAG (TriggerDagRunOperator), through the same path as `dags trigger`. */
  triggerDagRun(request: TriggerRunRequest): Promise<TriggeredRun>;
  /**
   * Airflow's previous successful run for the prev_*_success template names of the try `key`
   * (whose run has `logicalDate`): asked only by a try whose templates name one.
   */
  prevSuccess(key: TaskInstanceKey, logicalDate: string): Promise<PrevSuccess | null>;
}

/** Loaded on use: TypeORM costs task processes a second of start-up they rarely need. */
function entities(): typeof import('../db/entities') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../db/entities') as typeof import('../db/entities');
}

/** Loaded on use, like the entities. */
function prevSuccessReads(): typeof import('../db/reads/prev-success-reads') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../db/reads/prev-success-reads') as typeof import('../db/reads/prev-success-reads');
}

/** Loaded on use, like the entities. */
function crossDag(): typeof import('./cross-dag-database') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./cross-dag-database') as typeof import('./cross-dag-database');
}

/** Variables and connections read from the metadata database; the DataSource is opened on first use only. */
export class DatabaseVariableSource implements VariableSource {
  constructor(
    private readonly getDataSource: () => Promise<DataSource>,
    /** `core.dag_run_conf_overrides_params`, for the conf of runs TriggerDagRunOperator creates. */
    private readonly confOverridesParams = true,
  ) {}

  async externalRun(query: ExternalRunQuery): Promise<ExternalRunStates | null> {
    return crossDag().readExternalRunStates(await this.getDataSource(), query);
  }

  async triggerDagRun(request: TriggerRunRequest): Promise<TriggeredRun> {
    return crossDag().triggerRunFromTask(await this.getDataSource(), request, this.confOverridesParams);
  }

  async prevSuccess(key: TaskInstanceKey, logicalDate: string): Promise<PrevSuccess | null> {
    return prevSuccessReads().readPrevSuccess(await this.getDataSource(), key, logicalDate);
  }

  async getAll(): Promise<Record<string, string>> {
    const dataSource = await this.getDataSource();
    const rows = await dataSource.getRepository(entities().VariableEntity).find();
    const values: Record<string, string> = {};
    for (const row of rows) values[row.key] = row.val ?? '';
    return values;
  }

  async getVariable(key: string): Promise<string | null> {
    const dataSource = await this.getDataSource();
    const row = await dataSource.getRepository(entities().VariableEntity).findOneBy({ key });
    return row ? (row.val ?? '') : null;
  }

  async getConnection(connId: string): Promise<ConnectionFields | null> {
    const dataSource = await this.getDataSource();
    const row = await dataSource.getRepository(entities().ConnectionEntity).findOneBy({ connId });
    if (!row) return null;
    const { connType, host, login, password, schema, port, extra } = row;
    return { connType, host, login, password, schema, port, extra };
  }
}

/** Fixed values (tests, `dagctl tasks test` with no DB). */
export function staticVariableSource(
  values: Record<string, string>,
  connections: Record<string, ConnectionFields> = {},
): VariableSource {
  const own = <T>(map: Record<string, T>, name: string): T | null =>
    Object.prototype.hasOwnProperty.call(map, name) ? map[name] : null;
  return {
    getAll: async () => ({ ...values }),
    getVariable: async (key) => own(values, key),
    getConnection: async (connId) => own(connections, connId),
    externalRun: async () => {
      throw new Error("no metadata database here to read another DAG's runs from");
    },
    triggerDagRun: async () => {
      throw new Error('no metadata database here to create a run of another DAG in');
    },
    // No metadata database, no earlier runs: prev_*_success render as none, as for a first run.
    prevSuccess: async () => null,
  };
}
