import type { Request } from 'express';
import { userCan } from '../../auth/auth-user';
import { SEE_RUN_CONF } from '../../core/permissions';
import { maskSensitiveKeys } from '../../core/secrets-masker';
import { extraSensitiveWords } from '../../core/sensitive-names';
import { execSql } from '../../db/sql';
import { clearTaskInstances } from '../../services/clear-task-instances';
import { deleteDagRun } from '../../services/delete-dag-run';
import { MARKABLE_DAG_RUN_STATES, markDagRunState, type MarkableDagRunState } from '../../services/mark-dag-run-state';
import { triggerDagRun } from '../../services/trigger-dag-run';
import { auditChange } from '../../services/audit-log';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, conflict, notFound } from '../../http/problem';
import {
  parseOrderBy,
  queryDateTimeRange,
  queryList,
  queryOrderBy,
  queryPage,
  type OrderBy,
  type Page,
} from '../query-params';
import {
  jsonBody,
  optionalBoolean,
  optionalDateTime,
  optionalDateTimeRange,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  rejectUnknownFields,
} from '../request-body';
import { DAG_RUN_COLUMNS, dagRunJson } from '../serializers/dag-run-json';
import { TASK_INSTANCE_COLUMNS, TASK_INSTANCE_FROM, taskInstanceJson } from '../serializers/task-instance-json';
import { pagedQuery, Where } from '../sql-helpers';
import { loadDagRow } from './dag-routes';

const RUN_ORDER: Record<string, string> = {
  id: 'r.id',
  dag_id: 'r.dag_id',
  dag_run_id: 'r.run_id',
  state: 'r.state',
  run_type: 'r.run_type',
  execution_date: 'r.logical_date',
  logical_date: 'r.logical_date',
  start_date: 'r.start_date',
  end_date: 'r.end_date',
  updated_at: 'r.updated_at',
  external_trigger: 'r.external_trigger',
  data_interval_start: 'r.data_interval_start',
  data_interval_end: 'r.data_interval_end',
};

interface RunFilters {
  dagIds?: string[];
  states?: string[];
  executionDate?: [string | undefined, string | undefined];
  startDate?: [string | undefined, string | undefined];
  endDate?: [string | undefined, string | undefined];
  updatedAt?: [string | undefined, string | undefined];
}

/**
 * How this caller sees runs: a viewer gets the values under sensitive keys of the run's conf
 * (`password`, `token`, … and `core.sensitive_var_conn_names`) as `***`; whoever may trigger runs
 * with such conf (can_create on DAG Runs: op and admin) sees it as given.
 */
function runJsonFor(req: Request, api: ApiContext): (row: Record<string, unknown>) => Record<string, unknown> {
  if (userCan(req.user, SEE_RUN_CONF)) return dagRunJson;
  const words = extraSensitiveWords(api.app.config.core.sensitive_var_conn_names);
  return (row) => {
    const json = dagRunJson(row);
    return { ...json, conf: maskSensitiveKeys(json.conf, words) };
  };
}

async function listRuns(api: ApiContext, filters: RunFilters, order: OrderBy, page: Page, req: Request) {
  const where = new Where().in('r.dag_id', filters.dagIds).in('r.state', filters.states);
  where.range('r.logical_date', ...(filters.executionDate ?? [undefined, undefined]));
  where.range('r.start_date', ...(filters.startDate ?? [undefined, undefined]));
  where.range('r.end_date', ...(filters.endDate ?? [undefined, undefined]));
  where.range('r.updated_at', ...(filters.updatedAt ?? [undefined, undefined]));
  const { rows, total } = await pagedQuery(api.app.dataSource, {
    select: DAG_RUN_COLUMNS,
    from: 'dag_run r',
    where,
    order,
    tieBreaker: 'r.id',
    page,
  });
  const json = runJsonFor(req, api);
  return { dag_runs: rows.map(json), total_entries: total };
}

export async function loadRunRow(api: ApiContext, dagId: string, runId: string): Promise<Record<string, unknown>> {
  const { records } = await execSql(
    api.app.dataSource,
    `SELECT ${DAG_RUN_COLUMNS} FROM dag_run r WHERE r.dag_id = ? AND r.run_id = ?`,
    [dagId, runId],
  );
  if (!records[0]) {
    await loadDagRow(api, dagId);
    throw notFound(`DAG run '${runId}' of DAG '${dagId}' not found`);
  }
  return records[0];
}

export const dagRunRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/dags/~/dagRuns/list',
    access: 'viewer',
    async handler(req, res, api) {
      const body = jsonBody(req);
      rejectUnknownFields(body, [
        'order_by',
        'page_offset',
        'page_limit',
        'dag_ids',
        'states',
        'execution_date_gte',
        'execution_date_lte',
        'start_date_gte',
        'start_date_lte',
        'end_date_gte',
        'end_date_lte',
      ]);
      const limit = optionalInteger(body, 'page_limit', { min: 1 }) ?? 100;
      const page = { limit: Math.min(limit, 1000), offset: optionalInteger(body, 'page_offset', { min: 0 }) ?? 0 };
      const order = parseOrderBy(optionalString(body, 'order_by') || 'id', RUN_ORDER, 'order_by');
      res.json(
        await listRuns(
          api,
          {
            dagIds: optionalStringList(body, 'dag_ids'),
            states: optionalStringList(body, 'states'),
            executionDate: optionalDateTimeRange(body, 'execution_date'),
            startDate: optionalDateTimeRange(body, 'start_date'),
            endDate: optionalDateTimeRange(body, 'end_date'),
          },
          order,
          page,
          req,
        ),
      );
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, RUN_ORDER, 'id');
      const filters: RunFilters = {
        states: queryList(req.query, 'state', { commaSeparated: true }),
        executionDate: queryDateTimeRange(req.query, 'execution_date'),
        startDate: queryDateTimeRange(req.query, 'start_date'),
        endDate: queryDateTimeRange(req.query, 'end_date'),
        updatedAt: queryDateTimeRange(req.query, 'updated_at'),
      };
      if (dagId !== '~') {
        await loadDagRow(api, dagId);
        filters.dagIds = [dagId];
      }
      res.json(await listRuns(api, filters, order, page, req));
    },
  },
  {
    method: 'post',
    path: '/dags/{dag_id}/dagRuns',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const body = jsonBody(req);
      rejectUnknownFields(body, ['dag_run_id', 'logical_date', 'execution_date', 'conf', 'note']);
      const runId = optionalString(body, 'dag_run_id', { nullable: true }) ?? undefined;
      const logical = optionalDateTime(body, 'logical_date');
      const execution = optionalDateTime(body, 'execution_date');
      if (logical && execution && logical !== execution)
        throw badRequest("fields 'logical_date' and 'execution_date' differ; give one of them");
      const conf = optionalObject(body, 'conf');
      const note = optionalString(body, 'note', { nullable: true });
      const logicalDate = logical ?? execution;
      await loadDagRow(api, dagId);
      const clash = await execSql<{ run_id: string }>(
        api.app.dataSource,
        'SELECT run_id FROM dag_run WHERE dag_id = ? AND (run_id = ? OR logical_date = ?)',
        [dagId, runId ?? '', logicalDate ?? ''],
      );
      if (clash.records.length) {
        throw conflict(
          clash.records[0].run_id === runId
            ? `DAG run '${runId}' of DAG '${dagId}' already exists`
            : `DAG '${dagId}' already has a run at logical date ${logicalDate} ('${clash.records[0].run_id}')`,
        );
      }
      const run = await triggerDagRun(api.app, {
        dagId,
        runId,
        conf,
        logicalDate: logicalDate ? new Date(logicalDate) : undefined,
      });
      if (note) await execSql(api.app.dataSource, 'UPDATE dag_run SET note = ? WHERE id = ?', [note, run.id]);
      res.json(runJsonFor(req, api)(await loadRunRow(api, dagId, run.runId)));
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}',
    access: 'viewer',
    async handler(req, res, api) {
      res.json(runJsonFor(req, api)(await loadRunRow(api, param(req, 'dag_id'), param(req, 'dag_run_id'))));
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const body = jsonBody(req);
      rejectUnknownFields(body, ['state']);
      const state = optionalString(body, 'state');
      if (!state || !(MARKABLE_DAG_RUN_STATES as readonly string[]).includes(state)) {
        throw badRequest(`field 'state' must be one of ${MARKABLE_DAG_RUN_STATES.join(', ')}`);
      }
      await loadRunRow(api, dagId, runId);
      await markDagRunState(api.app, { dagId, runId, state: state as MarkableDagRunState, actor: req.user?.username });
      res.json(runJsonFor(req, api)(await loadRunRow(api, dagId, runId)));
    },
  },
  {
    method: 'delete',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      await loadRunRow(api, dagId, runId);
      await deleteDagRun(api.app, dagId, runId, req.user?.username);
      res.status(204).end();
    },
  },
  {
    method: 'post',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/clear',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const body = jsonBody(req, { optional: true });
      rejectUnknownFields(body, ['dry_run']);
      // Airflow's default is a dry run: clearing needs an explicit dry_run=false.
      const dryRun = optionalBoolean(body, 'dry_run') ?? true;
      await loadRunRow(api, dagId, runId);
      const result = await clearTaskInstances(api.app, { dagId, runId, dryRun, actor: req.user?.username });
      if (!dryRun) {
        res.json(runJsonFor(req, api)(await loadRunRow(api, dagId, runId)));
        return;
      }
      const keys = result.cleared;
      const where = new Where()
        .add('ti.dag_id = ?', dagId)
        .add('ti.run_id = ?', runId)
        .in(
          'ti.task_id',
          keys.map((k) => k.taskId),
        );
      const { records } = await execSql(
        api.app.dataSource,
        `SELECT ${TASK_INSTANCE_COLUMNS} FROM ${TASK_INSTANCE_FROM} ${where.sql} ORDER BY ti.task_id, ti.map_index`,
        where.params,
      );
      res.json({ task_instances: records.map(taskInstanceJson), total_entries: records.length });
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/setNote',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const body = jsonBody(req);
      rejectUnknownFields(body, ['note']);
      const note = optionalString(body, 'note', { nullable: true });
      if (note === undefined) throw badRequest("field 'note' is required");
      await loadRunRow(api, dagId, runId);
      await execSql(api.app.dataSource, 'UPDATE dag_run SET note = ?, updated_at = ? WHERE dag_id = ? AND run_id = ?', [
        note,
        api.app.clock.now().toISOString(),
        dagId,
        runId,
      ]);
      await auditChange(api.app, { event: 'set_dag_run_note', dagId, runId });
      res.json(runJsonFor(req, api)(await loadRunRow(api, dagId, runId)));
    },
  },
];
