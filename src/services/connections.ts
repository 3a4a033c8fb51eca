import { InvalidArgumentError, NotFoundError } from '../core/errors';
import { ConnectionEntity } from '../db/entities';
import { AlreadyExistsError } from './already-exists-error';
import { ConnectionFields, connectionToUri } from '../core/connection-uri';
import { auditChange } from './audit-log';
import { assertFitsColumns } from './column-limits';
import type { ServiceContext } from './service-context';

export interface ConnectionRecord extends ConnectionFields {
  connId: string;
  description: string | null;
}

/** What lists show: everything but the password. */
export type ConnectionSummary = Omit<ConnectionRecord, 'password'>;

export type ConnectionInput = { connId: string; description?: string | null } & Partial<ConnectionFields> & {
    connType: string;
  };

function toRecord(row: ConnectionEntity): ConnectionRecord {
  return {
    connId: row.connId,
    connType: row.connType,
    description: row.description,
    host: row.host,
    schema: row.schema,
    login: row.login,
    password: row.password,
    port: row.port,
    extra: row.extra,
  };
}

function validate(input: Partial<ConnectionInput>): void {
  if (input.connId !== undefined && (!input.connId || input.connId.length > 250)) {
    throw new InvalidArgumentError(`invalid connection id '${input.connId}': expected 1 to 250 characters`);
  }
  if (input.connType !== undefined && !input.connType)
    throw new InvalidArgumentError('connection type must not be empty');
  if (
    input.port !== undefined &&
    input.port !== null &&
    !(Number.isInteger(input.port) && input.port > 0 && input.port < 65536)
  ) {
    throw new InvalidArgumentError(`invalid port '${input.port}': expected 1 to 65535`);
  }
  if (input.extra) {
    try {
      JSON.parse(input.extra);
    } catch {
      throw new InvalidArgumentError(`connection extra must be valid JSON, got '${input.extra}'`);
    }
  }
}

export async function addConnection(ctx: ServiceContext, input: ConnectionInput): Promise<ConnectionRecord> {
  validate(input);
  assertFitsColumns(ctx.dataSource, ConnectionEntity, input);
  const repo = ctx.dataSource.getRepository(ConnectionEntity);
  if (await repo.existsBy({ connId: input.connId }))
    throw new AlreadyExistsError(`connection '${input.connId}' already exists`);
  await repo.insert({
    connId: input.connId,
    connType: input.connType,
    description: input.description ?? null,
    host: input.host ?? null,
    schema: input.schema ?? null,
    login: input.login ?? null,
    password: input.password ?? null,
    port: input.port ?? null,
    extra: input.extra ?? null,
  });
  await auditChange(ctx, {
    event: 'connection_create',
    extra: { connection_id: input.connId, conn_type: input.connType, host: input.host ?? null },
  });
  return getConnection(ctx, input.connId);
}

/** Change some fields of an existing connection (the REST API's PATCH). */
export async function updateConnection(
  ctx: ServiceContext,
  connId: string,
  patch: Partial<Omit<ConnectionInput, 'connId'>>,
): Promise<ConnectionRecord> {
  validate(patch);
  const repo = ctx.dataSource.getRepository(ConnectionEntity);
  const row = await repo.findOneBy({ connId });
  if (!row) throw new NotFoundError(`connection '${connId}' not found`);
  assertFitsColumns(ctx.dataSource, ConnectionEntity, patch);
  const fields = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  if (Object.keys(fields).length > 0) await repo.update({ id: row.id }, fields);
  // Field names only: the values may be secrets (password, extra).
  await auditChange(ctx, { event: 'connection_edit', extra: { connection_id: connId, fields: Object.keys(fields) } });
  return getConnection(ctx, connId);
}

/** The full connection, password included (for tasks and `connections get`). */
export async function getConnection(ctx: ServiceContext, connId: string): Promise<ConnectionRecord & { uri: string }> {
  const row = await ctx.dataSource.getRepository(ConnectionEntity).findOneBy({ connId });
  if (!row) throw new NotFoundError(`connection '${connId}' not found`);
  const record = toRecord(row);
  return { ...record, uri: connectionToUri(record) };
}

export async function deleteConnection(ctx: ServiceContext, connId: string): Promise<void> {
  const result = await ctx.dataSource.getRepository(ConnectionEntity).delete({ connId });
  if (!result.affected) throw new NotFoundError(`connection '${connId}' not found`);
  await auditChange(ctx, { event: 'connection_delete', extra: { connection_id: connId } });
}

/** Every connection without its password. */
export async function listConnections(
  ctx: ServiceContext,
  options: { limit?: number; offset?: number } = {},
): Promise<ConnectionSummary[]> {
  const rows = await ctx.dataSource
    .getRepository(ConnectionEntity)
    .find({ order: { connId: 'ASC' }, take: options.limit, skip: options.offset });
  return rows.map((row) => {
    const { password: _password, ...summary } = toRecord(row);
    return summary;
  });
}

export async function countConnections(ctx: ServiceContext): Promise<number> {
  return ctx.dataSource.getRepository(ConnectionEntity).count();
}
