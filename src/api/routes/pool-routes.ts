import { execSql } from '../../db/sql';
import { DEFAULT_POOL } from '../../db/entities/pool.entity';
import { deletePool, renamePool, setPool } from '../../services/pools';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, conflict, notFound } from '../../http/problem';
import { queryOrderBy, queryPage } from '../query-params';
import { jsonBody, optionalInteger, optionalString, requiredString, updateMask } from '../request-body';
import { pagedQuery, Where } from '../sql-helpers';

const POOL_ORDER: Record<string, string> = {
  name: 'p.pool',
  pool: 'p.pool',
  slots: 'p.slots',
  id: 'p.id',
  description: 'p.description',
};

type Usage = Map<string, { running: number; queued: number; scheduled: number }>;

/** Slots taken per pool by running, queued and scheduled task instances: one grouped query. */
async function poolUsage(api: ApiContext, names: string[]): Promise<Usage> {
  const usage: Usage = new Map();
  if (names.length === 0) return usage;
  const where = new Where().in('pool', names).in('state', ['running', 'queued', 'scheduled']);
  const { records } = await execSql<{ pool: string; state: string; slots: number | string }>(
    api.app.dataSource,
    `SELECT pool, state, SUM(pool_slots) AS slots FROM task_instance ${where.sql} GROUP BY pool, state`,
    where.params,
  );
  for (const row of records) {
    const entry = usage.get(row.pool) ?? { running: 0, queued: 0, scheduled: 0 };
    entry[row.state as 'running' | 'queued' | 'scheduled'] += Number(row.slots);
    usage.set(row.pool, entry);
  }
  return usage;
}

function poolJson(row: Record<string, unknown>, usage: Usage): Record<string, unknown> {
  const used = usage.get(String(row.pool)) ?? { running: 0, queued: 0, scheduled: 0 };
  const slots = Number(row.slots);
  const occupied = used.running + used.queued;
  return {
    name: row.pool,
    slots,
    occupied_slots: occupied,
    running_slots: used.running,
    queued_slots: used.queued,
    open_slots: slots - occupied,
    scheduled_slots: used.scheduled,
    description: row.description ?? null,
  };
}

async function loadPool(api: ApiContext, name: string): Promise<Record<string, unknown>> {
  const { records } = await execSql(
    api.app.dataSource,
    'SELECT p.pool, p.slots, p.description FROM slot_pool p WHERE p.pool = ?',
    [name],
  );
  if (!records[0]) throw notFound(`pool '${name}' not found`);
  return poolJson(records[0], await poolUsage(api, [name]));
}

export const poolRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/pools',
    access: 'viewer',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, POOL_ORDER, 'id');
      const { rows, total } = await pagedQuery(api.app.dataSource, {
        select: 'p.pool, p.slots, p.description',
        from: 'slot_pool p',
        where: new Where(),
        order,
        tieBreaker: 'p.id',
        page,
      });
      const usage = await poolUsage(
        api,
        rows.map((row) => String(row.pool)),
      );
      res.json({ pools: rows.map((row) => poolJson(row, usage)), total_entries: total });
    },
  },
  {
    method: 'post',
    path: '/pools',
    access: 'op',
    async handler(req, res, api) {
      const body = jsonBody(req);
      const name = requiredString(body, 'name');
      const slots = optionalInteger(body, 'slots', { min: 0 });
      if (slots === undefined || slots === null) throw badRequest("field 'slots' is required (a non-negative integer)");
      const exists = await execSql(api.app.dataSource, 'SELECT 1 AS found FROM slot_pool WHERE pool = ?', [name]);
      if (exists.records.length) throw conflict(`pool '${name}' already exists`);
      await setPool(api.app, {
        name,
        slots,
        description: optionalString(body, 'description', { nullable: true }) ?? null,
      });
      res.json(await loadPool(api, name));
    },
  },
  {
    method: 'get',
    path: '/pools/{pool_name}',
    access: 'viewer',
    async handler(req, res, api) {
      res.json(await loadPool(api, param(req, 'pool_name')));
    },
  },
  {
    method: 'patch',
    path: '/pools/{pool_name}',
    access: 'op',
    async handler(req, res, api) {
      const name = param(req, 'pool_name');
      const body = jsonBody(req);
      const mask = updateMask(req, ['slots', 'description', 'name']);
      const current = await loadPool(api, name);
      const newName = optionalString(body, 'name');
      const renamed =
        typeof newName === 'string' && newName !== name && (!mask || mask.includes('name')) ? newName : name;
      const wants = (field: string): boolean => (mask ? mask.includes(field) : field in body);
      const slots = wants('slots') ? optionalInteger(body, 'slots', { min: 0 }) : (current.slots as number);
      if (slots === undefined || slots === null) throw badRequest("field 'slots' must be a non-negative integer");
      const description = wants('description')
        ? (optionalString(body, 'description', { nullable: true }) ?? null)
        : (current.description as string | null);
      if (name === DEFAULT_POOL && slots < 0) throw badRequest(`${DEFAULT_POOL} needs non-negative slots`);
      if (renamed !== name) await renamePool(api.app, name, renamed);
      await setPool(api.app, { name: renamed, slots, description });
      res.json(await loadPool(api, renamed));
    },
  },
  {
    method: 'delete',
    path: '/pools/{pool_name}',
    access: 'op',
    async handler(req, res, api) {
      await deletePool(api.app, param(req, 'pool_name'));
      res.status(204).end();
    },
  },
];
