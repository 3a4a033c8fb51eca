import type { TaskConnection, TaskVariables } from '../authoring/task-context';
import { ConnectionFields, connectionToUri } from '../core/connection-uri';
import { connectionEnvName, connectionFromEnv, variableFromEnv } from '../core/env-secrets';
import type { ExternalRunQuery, ExternalRunStates, TriggeredRun, TriggerRunRequest } from '../core/cross-dag';
import type { PrevSuccess } from '../core/executor';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { errorMessage } from '../core/errors';
import { SecretsMasker } from '../core/secrets-masker';
import { isSensitiveName } from '../core/sensitive-names';
import type { VariableSource } from './variable-source';

/**
 * The variables and connections one try reads: the environment first (`DAGCTL_VAR_<KEY>`,
 * `DAGCTL_CONN_<ID>`), then the source (database, parent process or scheduler), each looked up
 * once per try and only when asked for. Every secret read is fed to the try's masker (contract §6):
 * connection passwords, sensitive extra fields, variables whose key holds a sensitive word.
 */
export class TaskSecrets {
  private readonly connections = new Map<string, Promise<TaskConnection>>();
  private readonly variableValues = new Map<string, Promise<string | null>>();

  constructor(
    private readonly source: VariableSource | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
    readonly masker: SecretsMasker = new SecretsMasker(),
    /** `core.sensitive_var_conn_names`, split. */
    readonly sensitiveWords: readonly string[] = [],
  ) {}

  /** Another DAG's run (cross-DAG operators), from the same source as variables. */
  externalRun(query: ExternalRunQuery): Promise<ExternalRunStates | null> {
    if (!this.source) return Promise.reject(new Error("no metadata database to read another DAG's runs from"));
    return this.source.externalRun(query);
  }

  /** A new run of another DAG (TriggerDagRunOperator), from the same source as variables. */
  triggerDagRun(request: TriggerRunRequest): Promise<TriggeredRun> {
    if (!this.source) return Promise.reject(new Error('no metadata database to create a run of another DAG in'));
    return this.source.triggerDagRun(request);
  }

  /** The prev_*_success values of a try, from the same source as variables. */
  prevSuccess(key: TaskInstanceKey, logicalDate: string): Promise<PrevSuccess | null> {
    if (!this.source) return Promise.reject(new Error('no metadata database to read the previous successful run from'));
    return this.source.prevSuccess(key, logicalDate);
  }

  /** The connection, or an error naming the id (and never a secret). */
  connection(connId: string): Promise<TaskConnection> {
    let found = this.connections.get(connId);
    if (!found) {
      found = this.loadConnection(connId);
      this.connections.set(connId, found);
    }
    return found;
  }

  /** A variable's raw value, or null when neither the environment nor the source has it. */
  variable(key: string): Promise<string | null> {
    let found = this.variableValues.get(key);
    if (!found) {
      found = this.loadVariable(key);
      this.variableValues.set(key, found);
    }
    return found;
  }

  /** Every source variable with the environment's over them (for templates). */
  async allVariables(): Promise<(key: string) => string | undefined> {
    const stored = this.source ? await this.source.getAll() : {};
    return (key) => {
      const value = variableFromEnv(key, this.env) ?? (Object.hasOwn(stored, key) ? stored[key] : undefined);
      this.noteVariable(key, value);
      return value;
    };
  }

  /** `ctx.variables`. */
  variables(): TaskVariables {
    const read = async (key: string, hasDefault: boolean): Promise<string | null> => {
      const value = await this.variable(String(key));
      if (value === null && !hasDefault) throw new Error(`variable '${key}' does not exist`);
      return value;
    };
    return {
      get: async (key, ...rest) => {
        const value = await read(key, rest.length > 0);
        return value === null ? (rest[0] as string) : value;
      },
      getJson: async <T>(key: string, ...rest: [T?]) => {
        const value = await read(key, rest.length > 0);
        if (value === null) return rest[0] as T;
        try {
          return JSON.parse(value) as T;
        } catch {
          throw new Error(`variable '${key}' does not hold valid JSON`);
        }
      },
    };
  }

  /** A variable whose key holds a sensitive word is a secret (its JSON leaves too, for getJson). */
  private noteVariable(key: string, value: string | null | undefined): void {
    if (value === null || value === undefined || !isSensitiveName(key, this.sensitiveWords)) return;
    this.masker.add(value);
    try {
      this.masker.add(JSON.parse(value));
    } catch {
      // not JSON: the value as a whole is enough
    }
  }

  private async loadVariable(key: string): Promise<string | null> {
    const value = await this.readVariable(key);
    this.noteVariable(key, value);
    return value;
  }

  private async readVariable(key: string): Promise<string | null> {
    const fromEnv = variableFromEnv(key, this.env);
    if (fromEnv !== undefined) return fromEnv;
    if (!this.source) return null;
    try {
      return await this.source.getVariable(key);
    } catch (err) {
      throw new Error(`cannot read variable '${key}': ${errorMessage(err)}`, { cause: err });
    }
  }

  private async loadConnection(connId: string): Promise<TaskConnection> {
    let fields: ConnectionFields | null = connectionFromEnv(connId, this.env);
    if (!fields && this.source) {
      try {
        fields = await this.source.getConnection(connId);
      } catch (err) {
        throw new Error(`cannot read connection '${connId}': ${errorMessage(err)}`, { cause: err });
      }
    }
    if (!fields)
      throw new Error(
        `connection '${connId}' is not defined (neither ${connectionEnvName(connId)} nor the metadata database has it)`,
      );
    const connection = taskConnection(connId, fields);
    this.masker.add(connection.password);
    this.masker.addSensitiveFields(connection.extra, this.sensitiveWords);
    return connection;
  }
}

export function taskConnection(connId: string, fields: ConnectionFields): TaskConnection {
  let extra: Record<string, unknown> = {};
  if (fields.extra) {
    try {
      const parsed: unknown = JSON.parse(fields.extra);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
    } catch {
      // Airflow keeps an unparsable extra as text; here it stays reachable through the URI only.
    }
  }
  const uri = connectionToUri(fields);
  return {
    connId,
    connType: fields.connType,
    host: fields.host,
    port: fields.port,
    login: fields.login,
    password: fields.password,
    schema: fields.schema,
    extra,
    uri,
    getUri: () => uri,
  };
}
