import type { Request } from 'express';
import { NotFoundError } from '../../core/errors';
import { execSql } from '../../db/sql';
import { getSerializedDag } from '../../db/reads/serialized-dag-store';
import { clearTaskInstances, type TaskInstanceRef } from '../../services/clear-task-instances';
import { markTaskInstanceState, type MarkableTaskState } from '../../services/mark-task-instance-state';
import { taskInstanceFailedDeps } from '../../services/task-instance-failed-deps';
import { auditChange } from '../../services/audit-log';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, notFound } from '../../http/problem';
import {
  parseOrderBy,
  queryDateTimeRange,
  queryList,
  queryNumber,
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
  optionalNumberField,
  optionalString,
  optionalStringList,
  rejectUnknownFields,
  requiredString,
} from '../request-body';
import {
  TASK_INSTANCE_COLUMNS,
  TASK_INSTANCE_FROM,
  taskInstanceJson,
  taskInstanceReference,
} from '../serializers/task-instance-json';
import { pagedQuery, Where } from '../sql-helpers';
import { loadDagRow } from './dag-routes';
import { loadRunRow } from './dag-run-routes';
import { assertInt32 } from '../../http/hostile-input';

const TI_ORDER: Record<string, string> = {
  task_id: 'ti.task_id',
  dag_id: 'ti.dag_id',
  dag_run_id: 'ti.run_id',
  map_index: 'ti.map_index',
  state: 'ti.state',
  start_date: 'ti.start_date',
  end_date: 'ti.end_date',
  duration: 'ti.duration',
  try_number: 'ti.try_number',
  priority_weight: 'ti.priority_weight',
  pool: 'ti.pool',
  queue: 'ti.queue',
  execution_date: 'r.logical_date',
  queued_when: 'ti.queued_dttm',
  operator: 'ti.operator',
};
const TI_TIE_BREAKER = 'ti.dag_id, ti.run_id, ti.task_id, ti.map_index';

interface TiFilters {
  dagIds?: string[];
  runIds?: string[];
  taskIds?: string[];
  states?: string[];
  pools?: string[];
  queues?: string[];
  executionDate?: [string | undefined, string | undefined];
  startDate?: [string | undefined, string | undefined];
  endDate?: [string | undefined, string | undefined];
  updatedAt?: [string | undefined, string | undefined];
  duration?: [number | undefined, number | undefined];
  /** Only the task instances of expanded mapped tasks (map_index ≥ 0). */
  mappedOnly?: boolean;
}

function tiWhere(filters: TiFilters): Where {
  const where = new Where()
    .in('ti.dag_id', filters.dagIds)
    .in('ti.run_id', filters.runIds)
    .in('ti.task_id', filters.taskIds)
    .in('ti.pool', filters.pools)
    .in('ti.queue', filters.queues);
  if (filters.states) {
    // Airflow spells "no state yet" as 'none' (or an empty value) in filters.
    const named = filters.states.filter((s) => s !== 'none' && s !== '' && s !== 'null');
    const none = named.length !== filters.states.length;
    const parts = [
      ...(named.length ? [`ti.state IN (${named.map(() => '?').join(', ')})`] : []),
      ...(none ? ['ti.state IS NULL'] : []),
    ];
    where.add(parts.length ? `(${parts.join(' OR ')})` : '1 = 0', ...named);
  }
  where.range('r.logical_date', ...(filters.executionDate ?? [undefined, undefined]));
  where.range('ti.start_date', ...(filters.startDate ?? [undefined, undefined]));
  where.range('ti.end_date', ...(filters.endDate ?? [undefined, undefined]));
  where.range('ti.updated_at', ...(filters.updatedAt ?? [undefined, undefined]));
  where.range('ti.duration', ...(filters.duration ?? [undefined, undefined]));
  if (filters.mappedOnly) where.add('ti.map_index >= 0');
  return where;
}

async function listTis(api: ApiContext, filters: TiFilters, order: OrderBy, page: Page) {
  const { rows, total } = await pagedQuery(api.app.dataSource, {
    select: TASK_INSTANCE_COLUMNS,
    from: TASK_INSTANCE_FROM,
    where: tiWhere(filters),
    order,
    tieBreaker: TI_TIE_BREAKER,
    page,
  });
  return { task_instances: rows.map(taskInstanceJson), total_entries: total };
}

export async function loadTiRow(
  api: ApiContext,
  dagId: string,
  runId: string,
  taskId: string,
  mapIndex: number,
): Promise<Record<string, unknown>> {
  const { records } = await execSql(
    api.app.dataSource,
    `SELECT ${TASK_INSTANCE_COLUMNS} FROM ${TASK_INSTANCE_FROM}
     WHERE ti.dag_id = ? AND ti.run_id = ? AND ti.task_id = ? AND ti.map_index = ?`,
    [dagId, runId, taskId, mapIndex],
  );
  if (!records[0]) {
    await loadRunRow(api, dagId, runId);
    throw notFound(
      `task instance '${taskId}'${mapIndex >= 0 ? ` [${mapIndex}]` : ''} ` +
        `of DAG run '${runId}' (DAG '${dagId}') not found`,
    );
  }
  return records[0];
}

/**
 * One task instance as Airflow shows it, plus dagctl's `failed_deps`: every scheduling rule that
 * keeps it from running, with its reason (what `dagctl tasks failed-deps` prints).
 */
async function taskInstanceWithFailedDeps(
  api: ApiContext,
  row: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const json = taskInstanceJson(row);
  if (Number(row.map_index ?? -1) !== -1) return json;
  try {
    const { failedDeps } = await taskInstanceFailedDeps(api.app, {
      dagId: String(row.dag_id),
      taskId: String(row.task_id),
      runId: String(row.run_id),
    });
    return { ...json, failed_deps: failedDeps.map((dep) => ({ name: dep.name, reason: dep.reason })) };
  } catch (err) {
    // The DAG or the task is gone from the DAG files: the instance is still shown, its rules cannot be.
    if (err instanceof NotFoundError) return { ...json, failed_deps: null };
    throw err;
  }
}

function mapIndexParam(req: Request): number {
  const raw = param(req, 'map_index');
  if (!raw) return -1;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`path parameter 'map_index' must be an integer, got '${raw}'`);
  return assertInt32(Number(raw), "path parameter 'map_index'");
}

/** Airflow's TaskInstanceReference needs each run's logical date. */
async function references(api: ApiContext, refs: TaskInstanceRef[]): Promise<Record<string, unknown>[]> {
  if (refs.length === 0) return [];
  const byRun = new Map<string, string>();
  const keys = [...new Set(refs.map((r) => JSON.stringify([r.dagId, r.runId])))].map(
    (k) => JSON.parse(k) as [string, string],
  );
  for (const [dagId, runId] of keys) {
    const { records } = await execSql<{ logical_date: string }>(
      api.app.dataSource,
      'SELECT logical_date FROM dag_run WHERE dag_id = ? AND run_id = ?',
      [dagId, runId],
    );
    byRun.set(JSON.stringify([dagId, runId]), records[0]?.logical_date ?? '');
  }
  return refs.map((ref) =>
    taskInstanceReference({ ...ref, logicalDate: byRun.get(JSON.stringify([ref.dagId, ref.runId])) }),
  );
}

function newState(body: Record<string, unknown>): MarkableTaskState {
  const state = requiredString(body, 'new_state');
  if (state !== 'success' && state !== 'failed') throw badRequest("field 'new_state' must be 'success' or 'failed'");
  return state;
}

async function patchTaskInstance(req: Request, api: ApiContext): Promise<Record<string, unknown>> {
  const dagId = param(req, 'dag_id');
  const runId = param(req, 'dag_run_id');
  const taskId = param(req, 'task_id');
  const mapIndex = mapIndexParam(req);
  const body = jsonBody(req);
  rejectUnknownFields(body, ['dry_run', 'new_state']);
  const state = newState(body);
  const dryRun = optionalBoolean(body, 'dry_run') ?? false;
  const row = await loadTiRow(api, dagId, runId, taskId, mapIndex);
  await markTaskInstanceState(api.app, { dagId, runId, taskId, mapIndex, state, dryRun, actor: req.user?.username });
  return taskInstanceReference({ dagId, runId, taskId, logicalDate: String(row.logical_date) });
}

/**
 * The run `runId`, and with `past`/`future` every run of the DAG at or before / at or after its
 * logical date (Airflow's include_past / include_future), oldest first.
 */
async function runsAround(
  api: ApiContext,
  dagId: string,
  runId: string,
  include: { past: boolean; future: boolean },
): Promise<string[]> {
  if (!include.past && !include.future) return [runId];
  const run = await loadRunRow(api, dagId, runId);
  const where = new Where().add('dag_id = ?', dagId);
  if (!include.past) where.add('logical_date >= ?', run.logical_date);
  if (!include.future) where.add('logical_date <= ?', run.logical_date);
  const { records } = await execSql<{ run_id: string }>(
    api.app.dataSource,
    `SELECT run_id FROM dag_run ${where.sql} ORDER BY logical_date`,
    where.params,
  );
  return records.map((row) => row.run_id);
}

async function tiExists(api: ApiContext, dagId: string, runId: string, taskId: string): Promise<boolean> {
  const { records } = await execSql(
    api.app.dataSource,
    'SELECT 1 AS found FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = -1',
    [dagId, runId, taskId],
  );
  return records.length > 0;
}

async function setNote(req: Request, api: ApiContext): Promise<Record<string, unknown>> {
  const dagId = param(req, 'dag_id');
  const runId = param(req, 'dag_run_id');
  const taskId = param(req, 'task_id');
  const mapIndex = mapIndexParam(req);
  const body = jsonBody(req);
  rejectUnknownFields(body, ['note']);
  const note = optionalString(body, 'note', { nullable: true });
  if (note === undefined) throw badRequest("field 'note' is required");
  await loadTiRow(api, dagId, runId, taskId, mapIndex);
  await execSql(
    api.app.dataSource,
    `UPDATE task_instance SET note = ?, updated_at = ?
     WHERE dag_id = ? AND run_id = ? AND task_id = ? AND map_index = ?`,
    [note, api.app.clock.now().toISOString(), dagId, runId, taskId, mapIndex],
  );
  await auditChange(api.app, { event: 'set_task_instance_note', dagId, runId, taskId, mapIndex });
  return taskInstanceJson(await loadTiRow(api, dagId, runId, taskId, mapIndex));
}

/** The filters Airflow's task instance listings read from the query string (listMapped's too). */
function tiQueryFilters(req: Request): TiFilters {
  return {
    states: queryList(req.query, 'state', { commaSeparated: true }),
    pools: queryList(req.query, 'pool'),
    queues: queryList(req.query, 'queue'),
    executionDate: queryDateTimeRange(req.query, 'execution_date'),
    startDate: queryDateTimeRange(req.query, 'start_date'),
    endDate: queryDateTimeRange(req.query, 'end_date'),
    updatedAt: queryDateTimeRange(req.query, 'updated_at'),
    duration: [queryNumber(req.query, 'duration_gte'), queryNumber(req.query, 'duration_lte')],
  };
}

export const taskInstanceRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/dags/~/dagRuns/~/taskInstances/list',
    access: 'viewer',
    async handler(req, res, api) {
      const body = jsonBody(req);
      rejectUnknownFields(body, [
        'dag_ids',
        'execution_date_gte',
        'execution_date_lte',
        'start_date_gte',
        'start_date_lte',
        'end_date_gte',
        'end_date_lte',
        'duration_gte',
        'duration_lte',
        'state',
        'pool',
        'queue',
        'page_limit',
        'page_offset',
        'order_by',
      ]);
      const page = {
        limit: Math.min(optionalInteger(body, 'page_limit', { min: 1 }) ?? 100, 1000),
        offset: optionalInteger(body, 'page_offset', { min: 0 }) ?? 0,
      };
      const order = parseOrderBy(optionalString(body, 'order_by') || 'dag_id', TI_ORDER, 'order_by');
      res.json(
        await listTis(
          api,
          {
            dagIds: optionalStringList(body, 'dag_ids'),
            states: optionalStringList(body, 'state'),
            pools: optionalStringList(body, 'pool'),
            queues: optionalStringList(body, 'queue'),
            executionDate: optionalDateTimeRange(body, 'execution_date'),
            startDate: optionalDateTimeRange(body, 'start_date'),
            endDate: optionalDateTimeRange(body, 'end_date'),
            duration: [optionalNumberField(body, 'duration_gte'), optionalNumberField(body, 'duration_lte')],
          },
          order,
          page,
        ),
      );
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, TI_ORDER, 'task_id');
      const filters: TiFilters = tiQueryFilters(req);
      if (dagId !== '~') {
        await loadDagRow(api, dagId);
        filters.dagIds = [dagId];
      }
      if (runId !== '~') {
        if (dagId !== '~') await loadRunRow(api, dagId, runId);
        filters.runIds = [runId];
      }
      res.json(await listTis(api, filters, order, page));
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}',
    access: 'viewer',
    async handler(req, res, api) {
      const row = await loadTiRow(api, param(req, 'dag_id'), param(req, 'dag_run_id'), param(req, 'task_id'), -1);
      res.json(await taskInstanceWithFailedDeps(api, row));
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}',
    access: 'op',
    async handler(req, res, api) {
      res.json(await patchTaskInstance(req, api));
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/setNote',
    access: 'op',
    async handler(req, res, api) {
      res.json(await setNote(req, api));
    },
  },
  {
    // Airflow's listMapped: the task instances of a mapped task, by map index.
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/listMapped',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const runId = param(req, 'dag_run_id');
      const taskId = param(req, 'task_id');
      const dag = (await getSerializedDag(api.app.dataSource, dagId))?.dag;
      if (!dag) throw notFound(`DAG '${dagId}' not found`);
      await loadRunRow(api, dagId, runId);
      const task = dag.tasks.find((t) => t.taskId === taskId);
      if (!task) throw notFound(`task '${taskId}' not found in DAG '${dagId}'`);
      if (!task.mapped) throw notFound(`task '${taskId}' of DAG '${dagId}' is not mapped`);
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, TI_ORDER, 'map_index');
      const filters: TiFilters = {
        ...tiQueryFilters(req),
        dagIds: [dagId],
        runIds: [runId],
        taskIds: [taskId],
        mappedOnly: true,
      };
      res.json(await listTis(api, filters, order, page));
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}/setNote',
    access: 'op',
    async handler(req, res, api) {
      res.json(await setNote(req, api));
    },
  },
  {
    // Before `{task_id}/{map_index}`, which would read 'links' as a map index.
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/links',
    access: 'viewer',
    async handler(req, res, api) {
      await loadTiRow(api, param(req, 'dag_id'), param(req, 'dag_run_id'), param(req, 'task_id'), -1);
      // Airflow answers a map of link name to URL; dagctl's operators define no extra links.
      res.json({});
    },
  },
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}',
    access: 'viewer',
    async handler(req, res, api) {
      const row = await loadTiRow(
        api,
        param(req, 'dag_id'),
        param(req, 'dag_run_id'),
        param(req, 'task_id'),
        mapIndexParam(req),
      );
      res.json(await taskInstanceWithFailedDeps(api, row));
    },
  },
  {
    method: 'patch',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}',
    access: 'op',
    async handler(req, res, api) {
      res.json(await patchTaskInstance(req, api));
    },
  },
  {
    method: 'post',
    path: '/dags/{dag_id}/clearTaskInstances',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const body = jsonBody(req);
      rejectUnknownFields(body, [
        'dry_run',
        'task_ids',
        'start_date',
        'end_date',
        'only_failed',
        'only_running',
        'include_subdags',
        'include_parentdag',
        'reset_dag_runs',
        'dag_run_id',
        'include_upstream',
        'include_downstream',
        'include_future',
        'include_past',
      ]);
      const flag = (name: string, fallback: boolean) => optionalBoolean(body, name) ?? fallback;
      // dagctl has no SubDAGs: these two are checked, and there is nothing more for them to include.
      flag('include_subdags', false);
      flag('include_parentdag', false);
      const taskIds = optionalStringList(body, 'task_ids');
      if (taskIds && taskIds.length === 0) throw badRequest("field 'task_ids' must not be empty");
      let startDate = optionalDateTime(body, 'start_date');
      let endDate = optionalDateTime(body, 'end_date');
      let runId = optionalString(body, 'dag_run_id', { nullable: true }) ?? undefined;
      await loadDagRow(api, dagId);
      if (runId !== undefined) {
        const run = await loadRunRow(api, dagId, runId);
        const future = flag('include_future', false);
        const past = flag('include_past', false);
        if (future || past) {
          // Past/future runs: turn the one run into a logical-date range around it.
          if (future) startDate = String(run.logical_date);
          if (past) endDate = String(run.logical_date);
          if (!future) startDate = String(run.logical_date);
          if (!past) endDate = String(run.logical_date);
          runId = undefined;
        }
      }
      const result = await clearTaskInstances(api.app, {
        dagId,
        runId,
        taskIds,
        startDate: startDate ? new Date(startDate) : undefined,
        endDate: endDate ? new Date(endDate) : undefined,
        onlyFailed: flag('only_failed', true),
        onlyRunning: flag('only_running', false),
        resetDagRuns: flag('reset_dag_runs', true),
        dryRun: flag('dry_run', true),
        downstream: flag('include_downstream', false),
        upstream: flag('include_upstream', false),
        actor: req.user?.username,
      });
      res.json({ task_instances: await references(api, result.cleared) });
    },
  },
  {
    method: 'post',
    path: '/dags/{dag_id}/updateTaskInstancesState',
    access: 'op',
    async handler(req, res, api) {
      const dagId = param(req, 'dag_id');
      const body = jsonBody(req);
      rejectUnknownFields(body, [
        'dry_run',
        'task_id',
        'execution_date',
        'dag_run_id',
        'include_upstream',
        'include_downstream',
        'include_future',
        'include_past',
        'new_state',
      ]);
      const taskId = requiredString(body, 'task_id');
      const state = newState(body);
      let runId = optionalString(body, 'dag_run_id');
      const executionDate = optionalDateTime(body, 'execution_date');
      if (!!runId === !!executionDate) throw badRequest("give exactly one of 'dag_run_id' and 'execution_date'");
      await loadDagRow(api, dagId);
      if (!runId) {
        const { records } = await execSql<{ run_id: string }>(
          api.app.dataSource,
          'SELECT run_id FROM dag_run WHERE dag_id = ? AND logical_date = ?',
          [dagId, executionDate],
        );
        if (!records[0]) throw notFound(`DAG '${dagId}' has no run at logical date ${executionDate}`);
        runId = records[0].run_id;
      }
      const dryRun = optionalBoolean(body, 'dry_run') ?? true;
      const downstream = optionalBoolean(body, 'include_downstream') ?? false;
      const upstream = optionalBoolean(body, 'include_upstream') ?? false;
      const runIds = await runsAround(api, dagId, runId, {
        future: optionalBoolean(body, 'include_future') ?? false,
        past: optionalBoolean(body, 'include_past') ?? false,
      });
      const changed: TaskInstanceRef[] = [];
      for (const id of runIds) {
        // With past/future, runs where the task has no instance (it was added later) are skipped.
        if (id !== runId && !(await tiExists(api, dagId, id, taskId))) continue;
        const input = { dagId, runId: id, taskId, state, dryRun, downstream, upstream, actor: req.user?.username };
        changed.push(...(await markTaskInstanceState(api.app, input)).changed);
      }
      res.json({ task_instances: await references(api, changed) });
    },
  },
];
