import { parseConnectionUri } from '../../core/connection-uri';
import { extraSensitiveWords } from '../../core/sensitive-names';
import { execSql } from '../../db/sql';
import { addConnection, deleteConnection, updateConnection } from '../../services/connections';
import { testConnection } from '../../services/test-connection';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, notFound } from '../../http/problem';
import { queryOrderBy, queryPage } from '../query-params';
import {
  jsonBody,
  optionalInteger,
  optionalString,
  requiredString,
  updateMask,
  type JsonObject,
} from '../request-body';
import { CONNECTION_COLUMNS, connectionItemJson, connectionJson } from '../serializers/connection-json';
import { pagedQuery, Where } from '../sql-helpers';

const CONNECTION_ORDER: Record<string, string> = {
  connection_id: 'c.conn_id',
  conn_type: 'c.conn_type',
  host: 'c.host',
  port: 'c.port',
  id: 'c.id',
  description: 'c.description',
};
const FIELDS = ['conn_type', 'description', 'host', 'login', 'schema', 'port', 'password', 'extra'] as const;

async function loadConnection(api: ApiContext, connId: string): Promise<Record<string, unknown>> {
  const { records } = await execSql(
    api.app.dataSource,
    `SELECT ${CONNECTION_COLUMNS} FROM connection c WHERE c.conn_id = ?`,
    [connId],
  );
  if (!records[0]) throw notFound(`connection '${connId}' not found`);
  return records[0];
}

/** The connection as the API answers it, sensitive extra fields `***` (configured words included). */
async function connectionAnswer(api: ApiContext, connId: string): Promise<Record<string, unknown>> {
  return connectionJson(
    await loadConnection(api, connId),
    extraSensitiveWords(api.app.config.core.sensitive_var_conn_names),
  );
}

/**
 * Typed connection fields present in the body (those in `only`, when given). `extra` may be JSON
 * text (Airflow's API) or an object; `uri` (a dagctl addition) gives every field at once.
 */
function connectionFields(body: JsonObject, only?: readonly string[]): Record<string, unknown> {
  if (typeof body.extra === 'object' && body.extra !== null) body = { ...body, extra: JSON.stringify(body.extra) };
  if ('uri' in body && (!only || only.includes('uri'))) {
    const clashing = FIELDS.filter((field) => field !== 'description' && field in body);
    if (clashing.length) throw badRequest(`give either 'uri' or the fields ${clashing.join(', ')}, not both`);
    const fields: Record<string, unknown> = { ...parseConnectionUri(requiredString(body, 'uri')) };
    if ('description' in body) fields.description = optionalString(body, 'description', { nullable: true }) ?? null;
    return fields;
  }
  const out: Record<string, unknown> = {};
  const take = (field: string) => (only ? only.includes(field) : field in body);
  if (take('conn_type')) out.connType = requiredString(body, 'conn_type');
  for (const [field, key] of [
    ['description', 'description'],
    ['host', 'host'],
    ['login', 'login'],
    ['schema', 'schema'],
    ['password', 'password'],
    ['extra', 'extra'],
  ] as const) {
    if (take(field)) out[key] = optionalString(body, field, { nullable: true }) ?? null;
  }
  if (take('port')) out.port = optionalInteger(body, 'port', { nullable: true }) ?? null;
  return out;
}

export const connectionRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/connections',
    access: 'op',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, CONNECTION_ORDER, 'connection_id');
      const { rows, total } = await pagedQuery(api.app.dataSource, {
        select: CONNECTION_COLUMNS,
        from: 'connection c',
        where: new Where(),
        order,
        tieBreaker: 'c.id',
        page,
      });
      res.json({ connections: rows.map(connectionItemJson), total_entries: total });
    },
  },
  {
    method: 'post',
    path: '/connections',
    access: 'op',
    async handler(req, res, api) {
      const body = jsonBody(req);
      const connId = requiredString(body, 'connection_id');
      const fields = connectionFields(body);
      if (!fields.connType) throw badRequest("field 'conn_type' is required");
      await addConnection(api.app, { connId, ...(fields as { connType: string }) });
      res.json(await connectionAnswer(api, connId));
    },
  },
  {
    method: 'post',
    path: '/connections/test',
    access: 'op',
    async handler(req, res) {
      const body = jsonBody(req);
      const fields = connectionFields(body) as { connType?: string; host?: string | null; port?: number | null };
      if (!fields.connType) throw badRequest("field 'conn_type' is required");
      res.json(await testConnection({ connType: fields.connType, host: fields.host, port: fields.port }));
    },
  },
  {
    method: 'get',
    path: '/connections/{connection_id}',
    access: 'op',
    async handler(req, res, api) {
      res.json(await connectionAnswer(api, param(req, 'connection_id')));
    },
  },
  {
    method: 'patch',
    path: '/connections/{connection_id}',
    access: 'op',
    async handler(req, res, api) {
      const connId = param(req, 'connection_id');
      const body = jsonBody(req);
      const mask = updateMask(req, [...FIELDS, 'uri', 'connection_id']);
      const bodyId = optionalString(body, 'connection_id');
      if (bodyId !== undefined && bodyId !== connId)
        throw badRequest(`field 'connection_id' ('${bodyId}') does not match the connection in the path ('${connId}')`);
      await loadConnection(api, connId);
      await updateConnection(
        api.app,
        connId,
        connectionFields(
          body,
          mask?.filter((f) => f !== 'connection_id'),
        ),
      );
      res.json(await connectionAnswer(api, connId));
    },
  },
  {
    method: 'delete',
    path: '/connections/{connection_id}',
    access: 'op',
    async handler(req, res, api) {
      await deleteConnection(api.app, param(req, 'connection_id'));
      res.status(204).end();
    },
  },
];
