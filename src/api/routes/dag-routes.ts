import type { Request } from 'express';
import { execSql } from '../../db/sql';
import { getSerializedDag } from '../../db/reads/serialized-dag-store';
import { deleteDag } from '../../services/delete-dag';
import { setDagPaused } from '../../services/set-dag-paused';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, notFound } from '../../http/problem';
import { containsPattern, queryBool, queryList, queryOrderBy, queryPage, queryString } from '../query-params';
import { jsonBody, optionalBoolean, updateMask } from '../request-body';
import { DAG_COLUMNS, dagDetailJson, dagJson, type DagRow } from '../serializers/dag-json';
import { bool } from '../serializers/api-dates';
import { taskJson } from '../serializers/task-json';
import { pagedQuery, Where } from '../sql-helpers';

const DAG_ORDER: Record<string, string> = {
  dag_id: 'd.dag_id',
  is_paused: 'd.is_paused',
  is_active: 'd.is_active',
  fileloc: 'd.fileloc',
  description: 'd.description',
  owners: 'd.owners',
  last_parsed_time: 'd.last_parsed_time',
  next_dagrun: 'd.next_dagrun',
  max_active_runs: 'd.max_active_runs',
  max_active_tasks: 'd.max_active_tasks',
};

function dagFilters(req: Request): Where {
  const where = new Where();
  if (queryBool(req.query, 'only_active') ?? true) where.add('d.is_active = ?', true);
  const paused = queryBool(req.query, 'paused');
  if (paused !== undefined) where.add('d.is_paused = ?', paused);
  const pattern = queryString(req.query, 'dag_id_pattern');
  // PATCH /dags: `~` selects every DAG.
  if (pattern && pattern !== '~') where.add("LOWER(d.dag_id) LIKE LOWER(?) ESCAPE '\\'", containsPattern(pattern));
  const tags = queryList(req.query, 'tags', { commaSeparated: true });
  if (tags && tags.length > 0) {
    // Tags are a JSON array in text: match the quoted tag, any of them (Airflow ORs tags).
    const any = tags.map(() => "d.tags LIKE ? ESCAPE '\\'");
    where.add(`(${any.join(' OR ')})`, ...tags.map((tag) => containsPattern(JSON.stringify(tag))));
  }
  return where;
}

export async function loadDagRow(api: ApiContext, dagId: string): Promise<DagRow> {
  const { records } = await execSql(api.app.dataSource, `SELECT ${DAG_COLUMNS} FROM dag d WHERE d.dag_id = ?`, [dagId]);
  if (!records[0]) throw notFound(`DAG '${dagId}' not found`);
  return records[0];
}

async function loadSerialized(api: ApiContext, dagId: string) {
  const stored = await getSerializedDag(api.app.dataSource, dagId);
  return stored?.dag ?? null;
}

export const dagRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/dags',
    access: 'viewer',
    async handler(req, res, api) {
      // The DAG list is what dashboards poll: serve identical queries from a 1-second cache.
      let entry = api.listCache.get(req.url);
      if (!entry) {
        const page = queryPage(req.query);
        const order = queryOrderBy(req.query, DAG_ORDER, 'dag_id');
        const { rows, total } = await pagedQuery(api.app.dataSource, {
          select: DAG_COLUMNS,
          from: 'dag d',
          where: dagFilters(req),
          order,
          tieBreaker: 'd.dag_id',
          page,
        });
        entry = api.listCache.set(
          req.url,
          JSON.stringify({ dags: rows.map((row) => dagJson(row, api.secretKey)), total_entries: total }),
        );
      }
      res.setHeader('ETag', entry.etag);
      res.type('application/json').send(entry.body);
    },
  },
  {
    method: 'patch',
    path: '/dags',
    access: 'op',
    async handler(req, res, api) {
      if (!queryString(req.query, 'dag_id_pattern'))
        throw badRequest("query parameter 'dag_id_pattern' is required ('~' for every DAG)");
      const mask = updateMask(req, ['is_paused']);
      const isPaused = optionalBoolean(jsonBody(req), 'is_paused');
      if (isPaused === undefined && (mask === undefined || mask.includes('is_paused')))
        throw badRequest("field 'is_paused' is required (true or false)");
      // The page of matching DAGs, in dag_id order, is what gets updated (Airflow's patch_dags).
      const { rows, total } = await pagedQuery<DagRow>(api.app.dataSource, {
        select: DAG_COLUMNS,
        from: 'dag d',
        where: dagFilters(req),
        order: { column: 'd.dag_id', direction: 'ASC' },
        tieBreaker: 'd.dag_id',
        page: queryPage(req.query),
      });
      if (isPaused !== undefined) for (const row of rows) await setDagPaused(api.app, String(row.dag_id), isPaused);
      const dags = await Promise.all(rows.map((row) => loadDagRow(api, String(row.dag_id))));
      res.json({ dags: dags.map((row) => dagJson(row, api.secretKey)), total_entries: total });
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}',
    access: 'viewer',
    async handler(req, res, api) {
      res.json(dagJson(await loadDagRow(api, param(req, 'dag_id')), api.secretKey));
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const body = jsonBody(req);
      const mask = updateMask(req, ['is_paused', 'is_draining']);
      const isPaused = mask && !mask.includes('is_paused') ? undefined : optionalBoolean(body, 'is_paused');
      // dagctl extra: `is_draining: true` pauses with drain (no new run, running runs finish).
      const isDraining = mask && !mask.includes('is_draining') ? undefined : optionalBoolean(body, 'is_draining');
      if (isPaused === undefined && isDraining === undefined && (mask === undefined || mask.includes('is_paused')))
        throw badRequest("field 'is_paused' is required (true or false)");
      if (isDraining === true && isPaused === false)
        throw badRequest("'is_draining: true' pauses the DAG: it cannot go with 'is_paused: false'");
      const row = await loadDagRow(api, dagId);
      const actor = req.user?.username;
      if (isDraining === true) await setDagPaused(api.app, dagId, true, actor, { drain: true });
      else if (isPaused !== undefined) await setDagPaused(api.app, dagId, isPaused, actor);
      else if (isDraining === false && bool(row.is_paused)) await setDagPaused(api.app, dagId, true, actor);
      res.json(dagJson(await loadDagRow(api, dagId), api.secretKey));
    },
  },
  {
    method: 'delete',
    path: '/dags/{dag_id}',
    access: 'op',
    async handler(req, res, api) {
      await deleteDag(api.app, param(req, 'dag_id'), req.user?.username);
      res.status(204).end();
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/details',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const row = await loadDagRow(api, dagId);
      const dag = await loadSerialized(api, dagId);
      res.json(dagDetailJson(row, dag, api.secretKey, api.app.config.core.dags_are_paused_at_creation));
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/tasks',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      await loadDagRow(api, dagId);
      const dag = await loadSerialized(api, dagId);
      if (!dag) throw notFound(`DAG '${dagId}' has no serialized form yet (not parsed)`);
      const raw = queryString(req.query, 'order_by') || 'task_id';
      const descending = raw.startsWith('-');
      const field = descending ? raw.slice(1) : raw;
      const tasks = dag.tasks.map((task) => taskJson(task, dag));
      // Own fields only: `in` would also accept `constructor`, `__proto__` and the like.
      if (tasks.length > 0 && !Object.hasOwn(tasks[0], field))
        throw badRequest(`order_by: tasks have no field '${field}'`);
      tasks.sort((a, b) => {
        const x = JSON.stringify(a[field] ?? null);
        const y = JSON.stringify(b[field] ?? null);
        return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
      });
      res.json({ tasks, total_entries: tasks.length });
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/tasks/{task_id}',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const taskId = param(req, 'task_id');
      await loadDagRow(api, dagId);
      const dag = await loadSerialized(api, dagId);
      const task = dag?.tasks.find((t) => t.taskId === taskId);
      if (!dag || !task) throw notFound(`task '${taskId}' not found in DAG '${dagId}'`);
      res.json(taskJson(task, dag));
    },
  },
];
