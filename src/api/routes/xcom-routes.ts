import { execSql } from '../../db/sql';
import type { ApiRoute } from '../api-context';
import { param } from '../api-context';
import { notFound } from '../../http/problem';
import { queryBool, queryInt, queryOrderBy, queryPage, queryString } from '../query-params';
import { XCOM_COLUMNS, XCOM_FROM, xcomItemJson, xcomValueText } from '../serializers/xcom-json';
import { columnText } from '../serializers/api-dates';
import { pagedQuery, Where } from '../sql-helpers';
import { loadTiRow } from './task-instance-routes';
import { storedXComText } from '../../runner/xcom/stored-xcom-text';
import { xcomSettingsFromConfig } from '../../runner/xcom/xcom-settings';

const XCOM_ORDER: Record<string, string> = {
  key: 'x.key',
  dag_id: 'x.dag_id',
  dag_run_id: 'x.run_id',
  task_id: 'x.task_id',
  map_index: 'x.map_index',
  timestamp: 'x.timestamp',
  execution_date: 'r.logical_date',
};

export const xcomRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const taskId = param(req, 'task_id');
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, XCOM_ORDER, 'key');
      const mapIndex = queryInt(req.query, 'map_index', { min: -1 });
      const key = queryString(req.query, 'xcom_key');
      if (dagId !== '~' && runId !== '~' && taskId !== '~') await loadTiRow(api, dagId, runId, taskId, mapIndex ?? -1);
      const where = new Where();
      if (dagId !== '~') where.add('x.dag_id = ?', dagId);
      if (runId !== '~') where.add('x.run_id = ?', runId);
      if (taskId !== '~') where.add('x.task_id = ?', taskId);
      if (mapIndex !== undefined) where.add('x.map_index = ?', mapIndex);
      if (key) where.add('x.key = ?', key);
      const { rows, total } = await pagedQuery(api.app.dataSource, {
        select: XCOM_COLUMNS,
        from: XCOM_FROM,
        where,
        order,
        tieBreaker: 'x.dag_id, x.run_id, x.task_id, x.map_index, x.key',
        page,
      });
      res.json({ xcom_entries: rows.map(xcomItemJson), total_entries: total });
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const taskId = param(req, 'task_id');
      const key = param(req, 'xcom_key');
      const mapIndex = queryInt(req.query, 'map_index', { min: -1 }) ?? -1;
      queryBool(req.query, 'deserialize'); // accepted for compatibility: values are always JSON
      const { records } = await execSql(
        api.app.dataSource,
        `SELECT ${XCOM_COLUMNS}, x.value FROM ${XCOM_FROM}
         WHERE x.dag_id = ? AND x.run_id = ? AND x.task_id = ? AND x.map_index = ? AND x.key = ?`,
        [dagId, runId, taskId, mapIndex, key],
      );
      if (!records[0]) {
        await loadTiRow(api, dagId, runId, taskId, mapIndex);
        throw notFound(`XCom '${key}' of task '${taskId}' in DAG run '${runId}' (DAG '${dagId}') not found`);
      }
      const backend = xcomSettingsFromConfig(api.app.config).backend;
      const column = records[0].value === null ? null : columnText(records[0].value);
      res.json({ ...xcomItemJson(records[0]), value: xcomValueText(storedXComText(backend, column)) });
    },
  },
];
