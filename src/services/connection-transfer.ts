import { connectionToJson, parseConnectionJson } from '../core/connection-uri';
import { errorMessage, InvalidArgumentError } from '../core/errors';
import { ConnectionEntity } from '../db/entities';
import { assertFitsColumns } from './column-limits';
import { addConnection, getConnection, listConnections, updateConnection, type ConnectionInput } from './connections';
import type { ServiceContext } from './service-context';

/**
 * `connections export|import`: Airflow's JSON shape, `{ "<conn_id>": { "conn_type": …, "host": …,
 * "login": …, "password": …, "schema": …, "port": …, "extra": {…}, "description": … } }`.
 */
export async function exportConnections(ctx: ServiceContext): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const { connId } of await listConnections(ctx)) {
    const conn = await getConnection(ctx, connId);
    out[connId] = connectionToJson(conn);
  }
  return out;
}

/**
 * Every entry is checked before any is stored, so a file with one bad connection stores none.
 * Existing connections are skipped, as Airflow does, unless `overwrite`.
 */
export async function importConnections(
  ctx: ServiceContext,
  data: unknown,
  options: { overwrite?: boolean } = {},
): Promise<{ created: number; updated: number; skipped: string[] }> {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new InvalidArgumentError('connections file must hold a JSON object of conn_id → connection');
  const inputs: ConnectionInput[] = Object.entries(data as Record<string, unknown>).map(([connId, value]) => {
    try {
      const { description, ...fields } = parseConnectionJson(value);
      if (!connId || connId.length > 250) throw new InvalidArgumentError('expected an id of 1 to 250 characters');
      if (fields.port !== null && !(fields.port > 0 && fields.port < 65536))
        throw new InvalidArgumentError(`invalid port '${fields.port}': expected 1 to 65535`);
      const input = { connId, description: description ?? null, ...fields };
      assertFitsColumns(ctx.dataSource, ConnectionEntity, input);
      return input;
    } catch (err) {
      throw new InvalidArgumentError(`connection '${connId}': ${errorMessage(err)}`);
    }
  });
  const repo = ctx.dataSource.getRepository(ConnectionEntity);
  const result = { created: 0, updated: 0, skipped: [] as string[] };
  for (const input of inputs) {
    if (!(await repo.existsBy({ connId: input.connId }))) {
      await addConnection(ctx, input);
      result.created += 1;
    } else if (options.overwrite) {
      const { connId, ...fields } = input;
      await updateConnection(ctx, connId, fields);
      result.updated += 1;
    } else {
      result.skipped.push(input.connId);
    }
  }
  return result;
}
