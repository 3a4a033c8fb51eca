import { execSql } from '../../db/sql';
import { emitDatasetEvent } from '../../services/datasets';
import { requireDagRun } from '../../services/require-dag';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, notFound } from '../../http/problem';
import { containsPattern, queryInt, queryOrderBy, queryPage, queryString } from '../query-params';
import { jsonBody, optionalObject, rejectUnknownFields, requiredString } from '../request-body';
import { pagedQuery, Where } from '../sql-helpers';

type Row = Record<string, unknown>;

const DATASET_ORDER: Record<string, string> = {
  id: 'd.id',
  uri: 'd.uri',
  created_at: 'd.created_at',
  updated_at: 'd.updated_at',
};
const EVENT_ORDER: Record<string, string> = {
  id: 'e.id',
  timestamp: 'e.timestamp',
  dataset_id: 'e.dataset_id',
  source_dag_id: 'e.source_dag_id',
  source_task_id: 'e.source_task_id',
  source_run_id: 'e.source_run_id',
  source_map_index: 'e.source_map_index',
};
const EVENT_SELECT =
  'e.id, e.dataset_id, d.uri AS dataset_uri, e.extra, e.source_dag_id, e.source_task_id, e.source_run_id, ' +
  'e.source_map_index, e.timestamp';
const EVENT_FROM = 'dataset_event e JOIN dataset d ON d.id = e.dataset_id';

function parseExtra(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Airflow's `Dataset`, with the DAGs scheduled on it and the tasks that update it. */
async function datasetJsons(api: ApiContext, rows: Row[]): Promise<Row[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => Number(r.id));
  const marks = ids.map(() => '?').join(', ');
  const consumers = await execSql<Row>(
    api.app.dataSource,
    `SELECT dataset_id, dag_id, created_at FROM dag_schedule_dataset_reference WHERE dataset_id IN (${marks})
     ORDER BY dag_id`,
    ids,
  );
  const producers = await execSql<Row>(
    api.app.dataSource,
    `SELECT dataset_id, dag_id, task_id, created_at FROM task_outlet_dataset_reference WHERE dataset_id IN (${marks})
     ORDER BY dag_id, task_id`,
    ids,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    uri: r.uri,
    extra: parseExtra(r.extra),
    created_at: r.created_at,
    updated_at: r.updated_at,
    consuming_dags: consumers.records
      .filter((c) => Number(c.dataset_id) === Number(r.id))
      .map((c) => ({ dag_id: c.dag_id, created_at: c.created_at, updated_at: c.created_at })),
    producing_tasks: producers.records
      .filter((p) => Number(p.dataset_id) === Number(r.id))
      .map((p) => ({ dag_id: p.dag_id, task_id: p.task_id, created_at: p.created_at, updated_at: p.created_at })),
  }));
}

/** Airflow's `DatasetEvent`, with the runs it triggered (`created_dagruns`). */
async function eventJsons(api: ApiContext, rows: Row[]): Promise<Row[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => Number(r.id));
  const runs = await execSql<Row>(
    api.app.dataSource,
    `SELECT l.event_id, r.run_id, r.dag_id, r.logical_date, r.start_date, r.end_date, r.data_interval_start,
       r.data_interval_end, r.state
     FROM dagrun_dataset_event l JOIN dag_run r ON r.dag_id = l.dag_id AND r.run_id = l.run_id
     WHERE l.event_id IN (${ids.map(() => '?').join(', ')}) ORDER BY r.logical_date`,
    ids,
  );
  return rows.map((r) => ({
    dataset_id: Number(r.dataset_id),
    dataset_uri: r.dataset_uri,
    extra: parseExtra(r.extra),
    source_dag_id: r.source_dag_id ?? null,
    source_task_id: r.source_task_id ?? null,
    source_run_id: r.source_run_id ?? null,
    source_map_index:
      r.source_map_index === null || r.source_map_index === undefined ? null : Number(r.source_map_index),
    created_dagruns: runs.records
      .filter((run) => Number(run.event_id) === Number(r.id))
      .map(({ event_id: _eventId, ...run }) => run),
    timestamp: r.timestamp,
  }));
}

async function loadDataset(api: ApiContext, uri: string): Promise<Row> {
  const { records } = await execSql<Row>(
    api.app.dataSource,
    'SELECT id, uri, extra, created_at, updated_at FROM dataset WHERE uri = ?',
    [uri],
  );
  if (!records[0]) throw notFound(`dataset '${uri}' not found`);
  return (await datasetJsons(api, records))[0];
}

const errors = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthenticated' },
  '403': { $ref: '#/components/responses/PermissionDenied' },
  '404': { $ref: '#/components/responses/NotFound' },
};

/** Datasets (Airflow 2.6.3's document) and, as Airflow 2.9 added it, POST /datasets/events. */
export const datasetRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/datasets',
    access: 'viewer',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, DATASET_ORDER, 'id');
      const where = new Where();
      const pattern = queryString(req.query, 'uri_pattern');
      if (pattern) where.add(`d.uri LIKE ? ESCAPE '\\'`, containsPattern(pattern));
      const { rows, total } = await pagedQuery<Row>(api.app.dataSource, {
        select: 'd.id, d.uri, d.extra, d.created_at, d.updated_at',
        from: 'dataset d',
        where,
        order,
        tieBreaker: 'd.id',
        page,
      });
      res.json({ datasets: await datasetJsons(api, rows), total_entries: total });
    },
  },
  {
    method: 'get',
    path: '/datasets/events',
    access: 'viewer',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, EVENT_ORDER, 'timestamp');
      const where = new Where();
      const datasetId = queryInt(req.query, 'dataset_id');
      if (datasetId !== undefined) where.add('e.dataset_id = ?', datasetId);
      for (const name of ['source_dag_id', 'source_task_id', 'source_run_id']) {
        const value = queryString(req.query, name);
        if (value !== undefined) where.add(`e.${name} = ?`, value);
      }
      const mapIndex = queryInt(req.query, 'source_map_index', { min: -1 });
      if (mapIndex !== undefined) where.add('e.source_map_index = ?', mapIndex);
      const { rows, total } = await pagedQuery<Row>(api.app.dataSource, {
        select: EVENT_SELECT,
        from: EVENT_FROM,
        where,
        order,
        tieBreaker: 'e.id',
        page,
      });
      res.json({ dataset_events: await eventJsons(api, rows), total_entries: total });
    },
  },
  {
    method: 'post',
    path: '/datasets/events',
    access: 'op',
    operation: {
      summary: 'Create a dataset event (an update of a dataset from outside)',
      description:
        "As Airflow 2.9's endpoint: records an update of a dataset some DAG names; DAGs scheduled on it " +
        'run once each of their datasets was updated. 404 for a dataset no DAG names.',
      operationId: 'create_dataset_event',
      tags: ['Dataset'],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['dataset_uri'],
              properties: { dataset_uri: { type: 'string' }, extra: { type: 'object', nullable: true } },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'Success.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/DatasetEvent' } } },
        },
        ...errors,
      },
    },
    async handler(req, res, api) {
      const body = jsonBody(req);
      rejectUnknownFields(body, ['dataset_uri', 'extra']);
      const uri = requiredString(body, 'dataset_uri');
      const extra = body.extra === null ? null : (optionalObject(body, 'extra') ?? null);
      const event = await emitDatasetEvent(api.app, { uri, extra, actor: req.user?.username ?? null });
      const { records } = await execSql<Row>(
        api.app.dataSource,
        `SELECT ${EVENT_SELECT} FROM ${EVENT_FROM} WHERE e.id = ?`,
        [event.id],
      );
      if (!records[0]) throw badRequest('the event was not recorded');
      res.json((await eventJsons(api, records))[0]);
    },
  },
  {
    method: 'get',
    path: '/datasets/{uri}',
    access: 'viewer',
    async handler(req, res, api) {
      res.json(await loadDataset(api, param(req, 'uri')));
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamDatasetEvents',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      await requireDagRun(api.app.dataSource, dagId, runId);
      const { records } = await execSql<Row>(
        api.app.dataSource,
        `SELECT ${EVENT_SELECT} FROM ${EVENT_FROM} JOIN dagrun_dataset_event l ON l.event_id = e.id
         WHERE l.dag_id = ? AND l.run_id = ? ORDER BY e.timestamp, e.id`,
        [dagId, runId],
      );
      res.json({ dataset_events: await eventJsons(api, records), total_entries: records.length });
    },
  },
];
