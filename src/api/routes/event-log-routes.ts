import { execSql } from '../../db/sql';
import { assertInt32 } from '../../http/hostile-input';
import { badRequest, notFound } from '../../http/problem';
import type { ApiRoute } from '../api-context';
import { param } from '../api-context';
import { queryDateTime, queryOrderBy, queryPage, queryString } from '../query-params';
import { isoOrNull, numOrNull } from '../serializers/api-dates';
import { pagedQuery, Where } from '../sql-helpers';

const EVENT_LOG_ORDER: Record<string, string> = {
  event_log_id: 'l.id',
  id: 'l.id',
  when: 'l.dttm',
  dttm: 'l.dttm',
  dag_id: 'l.dag_id',
  task_id: 'l.task_id',
  run_id: 'l.run_id',
  event: 'l.event',
  owner: 'l.owner',
  execution_date: 'r.logical_date',
};

// The run's logical date is Airflow's `execution_date` of an event about a run.
const SELECT =
  'l.id, l.dttm, l.dag_id, l.task_id, l.run_id, l.map_index, l.event, l.owner, l.extra, ' +
  'r.logical_date AS execution_date';
const FROM = 'log l LEFT JOIN dag_run r ON r.dag_id = l.dag_id AND r.run_id = l.run_id';

/** Airflow's EventLog, plus dagctl's `run_id` and `map_index`. */
function eventLogJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    event_log_id: Number(row.id),
    when: isoOrNull(row.dttm),
    dag_id: row.dag_id ?? null,
    task_id: row.task_id ?? null,
    run_id: row.run_id ?? null,
    map_index: numOrNull(row.map_index),
    event: row.event,
    execution_date: isoOrNull(row.execution_date),
    owner: row.owner ?? '',
    extra: row.extra ?? null,
  };
}

export const eventLogRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/eventLogs',
    access: 'viewer',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      // Airflow's default: oldest first by id; `order_by=-when` for the newest first.
      const order = queryOrderBy(req.query, EVENT_LOG_ORDER, 'event_log_id');
      const where = new Where();
      // Airflow 2.7's filters, harmless to a 2.6 client that never sends them.
      for (const [name, column] of [
        ['dag_id', 'l.dag_id'],
        ['task_id', 'l.task_id'],
        ['run_id', 'l.run_id'],
        ['event', 'l.event'],
        ['owner', 'l.owner'],
      ] as const) {
        const value = queryString(req.query, name);
        if (value) where.add(`${column} = ?`, value);
      }
      where.range('l.dttm', queryDateTime(req.query, 'after'), queryDateTime(req.query, 'before'));
      const { rows, total } = await pagedQuery(api.app.dataSource, {
        select: SELECT,
        from: FROM,
        where,
        order,
        tieBreaker: 'l.id',
        page,
      });
      res.json({ event_logs: rows.map(eventLogJson), total_entries: total });
    },
  },
  {
    method: 'get',
    path: '/eventLogs/{event_log_id}',
    access: 'viewer',
    async handler(req, res, api) {
      const raw = param(req, 'event_log_id');
      if (!/^\d+$/.test(raw)) throw badRequest(`path parameter 'event_log_id' must be an integer, got '${raw}'`);
      const id = assertInt32(Number(raw), "path parameter 'event_log_id'");
      const { records } = await execSql(api.app.dataSource, `SELECT ${SELECT} FROM ${FROM} WHERE l.id = ?`, [id]);
      if (!records[0]) throw notFound(`event log ${raw} not found`);
      res.json(eventLogJson(records[0]));
    },
  },
];
