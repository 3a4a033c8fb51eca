import { In, type DataSource } from 'typeorm';
import { ConnectionEntity, PoolEntity, TaskInstanceEntity, UserEntity, VariableEntity } from '../../../db/entities';
import { maskSensitiveExtra } from '../../../core/secrets-masker';
import { isSensitiveName, MASK } from '../../../core/sensitive-names';

export interface VariableRow {
  key: string;
  value: string | null;
  masked: boolean;
  description: string | null;
}

/** `extraWords`: the words of `core.sensitive_var_conn_names`, split. */
export async function listVariableRows(dataSource: DataSource, extraWords: readonly string[]): Promise<VariableRow[]> {
  const rows = await dataSource.getRepository(VariableEntity).find({ order: { key: 'ASC' } });
  return rows.map((row) => {
    const masked = isSensitiveName(row.key, extraWords);
    return { key: row.key, value: masked ? MASK : row.val, masked, description: row.description };
  });
}

export interface ConnectionRow {
  connId: string;
  connType: string;
  host: string | null;
  port: number | null;
  schema: string | null;
  login: string | null;
  /** Always masked: the UI never shows a password. */
  password: string | null;
  extra: string | null;
  description: string | null;
}

/** `extraWords`: the words of `core.sensitive_var_conn_names`, split. */
export async function listConnectionRows(
  dataSource: DataSource,
  extraWords: readonly string[],
): Promise<ConnectionRow[]> {
  const rows = await dataSource.getRepository(ConnectionEntity).find({ order: { connId: 'ASC' } });
  return rows.map((row) => ({
    connId: row.connId,
    connType: row.connType,
    host: row.host,
    port: row.port,
    schema: row.schema,
    login: row.login,
    password: row.password ? MASK : null,
    extra: maskSensitiveExtra(row.extra, extraWords),
    description: row.description,
  }));
}

export interface PoolRow {
  pool: string;
  slots: number;
  running: number;
  queued: number;
  /** Free slots; null for an unlimited pool (slots -1). */
  open: number | null;
  description: string | null;
  /** Percentages of the bar, capped so the bar never overflows. */
  runningPct: number;
  queuedPct: number;
}

export async function listPoolRows(dataSource: DataSource): Promise<PoolRow[]> {
  const pools = await dataSource.getRepository(PoolEntity).find({ order: { pool: 'ASC' } });
  const busy = await dataSource.getRepository(TaskInstanceEntity).find({
    select: { pool: true, poolSlots: true, state: true },
    where: { state: In(['running', 'queued']) },
  });
  return pools.map((pool) => {
    const inPool = busy.filter((ti) => ti.pool === pool.pool);
    const running = inPool.filter((ti) => ti.state === 'running').reduce((sum, ti) => sum + ti.poolSlots, 0);
    const queued = inPool.filter((ti) => ti.state === 'queued').reduce((sum, ti) => sum + ti.poolSlots, 0);
    const slots = pool.slots;
    const pct = (n: number): number => (slots > 0 ? Math.min(100, (n / slots) * 100) : n > 0 ? 100 : 0);
    const runningPct = pct(running);
    return {
      pool: pool.pool,
      slots,
      running,
      queued,
      open: slots < 0 ? null : Math.max(0, slots - running),
      description: pool.description,
      runningPct,
      queuedPct: Math.min(100 - runningPct, pct(queued)),
    };
  });
}

export async function listUserRows(
  dataSource: DataSource,
): Promise<Array<Pick<UserEntity, 'id' | 'username' | 'role' | 'createdAt' | 'lastLogin'>>> {
  const rows = await dataSource.getRepository(UserEntity).find({ order: { username: 'ASC' } });
  return rows.map(({ id, username, role, createdAt, lastLogin }) => ({ id, username, role, createdAt, lastLogin }));
}
