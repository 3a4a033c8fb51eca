import { extraSensitiveWords, isSensitiveName, MASK } from '../../core/sensitive-names';
import { execSql } from '../../db/sql';
import { deleteVariable, getVariable, setVariable } from '../../services/variables';
import type { ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, notFound } from '../../http/problem';
import { queryOrderBy, queryPage } from '../query-params';
import { jsonBody, optionalString, requiredString, updateMask } from '../request-body';
import { pagedQuery, Where } from '../sql-helpers';

/** Variables may hold secrets: reading them needs the op role, like Airflow's Op. */
const VARIABLE_ORDER: Record<string, string> = { key: 'v."key"', id: 'v.id', description: 'v.description' };

function variableJson(record: {
  key: string;
  value: string | null;
  description: string | null;
}): Record<string, unknown> {
  return { key: record.key, value: record.value ?? '', description: record.description };
}

/** A write's answer: only the single-item GET returns a sensitive variable's value (contract §6). */
function writtenVariableJson(
  api: Parameters<ApiRoute['handler']>[2],
  record: { key: string; value: string | null; description: string | null },
): Record<string, unknown> {
  const words = extraSensitiveWords(api.app.config.core.sensitive_var_conn_names);
  return variableJson(isSensitiveName(record.key, words) ? { ...record, value: MASK } : record);
}

async function requireVariable(api: Parameters<ApiRoute['handler']>[2], key: string) {
  const { records } = await execSql(api.app.dataSource, 'SELECT 1 AS found FROM variable WHERE "key" = ?', [key]);
  if (!records[0]) throw notFound(`variable '${key}' not found`);
}

/** The body's value: a string (or any JSON, stored as JSON text as `variables set` does). */
function valueOf(body: Record<string, unknown>): unknown {
  if (!('value' in body) || body.value === undefined) throw badRequest("field 'value' is required");
  return body.value;
}

export const variableRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/variables',
    access: 'op',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, VARIABLE_ORDER, 'key');
      const { rows, total } = await pagedQuery(api.app.dataSource, {
        select: 'v."key" AS "key", v.description',
        from: 'variable v',
        where: new Where(),
        order,
        tieBreaker: 'v.id',
        page,
      });
      res.json({
        variables: rows.map((row) => ({ key: row.key, description: (row.description as string | null) ?? null })),
        total_entries: total,
      });
    },
  },
  {
    method: 'post',
    path: '/variables',
    access: 'op',
    async handler(req, res, api) {
      const body = jsonBody(req);
      const key = requiredString(body, 'key');
      const record = await setVariable(
        api.app,
        key,
        valueOf(body),
        optionalString(body, 'description', { nullable: true }),
      );
      res.json(writtenVariableJson(api, record));
    },
  },
  {
    method: 'get',
    path: '/variables/{variable_key}',
    access: 'op',
    async handler(req, res, api) {
      res.json(variableJson(await getVariable(api.app, param(req, 'variable_key'))));
    },
  },
  {
    method: 'patch',
    path: '/variables/{variable_key}',
    access: 'op',
    async handler(req, res, api) {
      const key = param(req, 'variable_key');
      const body = jsonBody(req);
      const mask = updateMask(req, ['value', 'description']);
      const bodyKey = optionalString(body, 'key');
      if (bodyKey !== undefined && bodyKey !== key)
        throw badRequest(`field 'key' ('${bodyKey}') does not match the variable in the path ('${key}')`);
      await requireVariable(api, key);
      const current = await getVariable(api.app, key);
      const updateValue = mask ? mask.includes('value') : 'value' in body;
      const updateDescription = mask ? mask.includes('description') : 'description' in body;
      const value = updateValue ? valueOf(body) : current.value;
      const description = updateDescription
        ? (optionalString(body, 'description', { nullable: true }) ?? null)
        : current.description;
      res.json(writtenVariableJson(api, await setVariable(api.app, key, value, description)));
    },
  },
  {
    method: 'delete',
    path: '/variables/{variable_key}',
    access: 'op',
    async handler(req, res, api) {
      await deleteVariable(api.app, param(req, 'variable_key'));
      res.status(204).end();
    },
  },
];
