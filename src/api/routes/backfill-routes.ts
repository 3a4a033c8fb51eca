import type { Request } from 'express';
import { userCan } from '../../auth/auth-user';
import { SEE_RUN_CONF } from '../../core/permissions';
import { maskSensitiveKeys } from '../../core/secrets-masker';
import { extraSensitiveWords } from '../../core/sensitive-names';
import type { BackfillView } from '../../db/reads/backfill-reads';
import { badRequest } from '../../http/problem';
import {
  backfillJson,
  BackfillRequest,
  cancelBackfillByHand,
  createBackfill,
  listBackfills,
  planBackfill,
  requireBackfill,
  setBackfillPausedByHand,
} from '../../services/backfills';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { queryPage, queryString } from '../query-params';
import {
  jsonBody,
  optionalBoolean,
  optionalDateTime,
  optionalInteger,
  optionalObject,
  optionalString,
  rejectUnknownFields,
  requiredString,
} from '../request-body';

const errors = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthenticated' },
  '403': { $ref: '#/components/responses/PermissionDenied' },
  '404': { $ref: '#/components/responses/NotFound' },
};
const backfillSchema = {
  type: 'object',
  description: "Airflow 3's backfill fields, plus dagctl's progress (`*_intervals`, `runs` by state).",
  properties: {
    id: { type: 'integer' },
    dag_id: { type: 'string' },
    from_date: { type: 'string', format: 'date-time' },
    to_date: { type: 'string', format: 'date-time' },
    run_backwards: { type: 'boolean' },
    max_active_runs: { type: 'integer' },
    rerun_failed_tasks: { type: 'boolean' },
    reset_dagruns: { type: 'boolean' },
    dag_run_conf: { type: 'object' },
    is_paused: { type: 'boolean' },
    cancelled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    completed_at: { type: 'string', format: 'date-time', nullable: true },
    total_intervals: { type: 'integer' },
    pending_intervals: { type: 'integer' },
    skipped_intervals: { type: 'integer' },
    runs: { type: 'object', additionalProperties: { type: 'integer' } },
  },
};
const backfillResponse = {
  description: 'The backfill.',
  content: { 'application/json': { schema: backfillSchema } },
};
const idParameter = [{ name: 'backfill_id', in: 'path', required: true, schema: { type: 'integer' } }];
const CREATE_FIELDS = [
  'dag_id',
  'from_date',
  'to_date',
  'run_backwards',
  'dag_run_conf',
  'reprocess_behavior',
  'max_active_runs',
];
const createBody = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['dag_id', 'from_date', 'to_date'],
        properties: {
          dag_id: { type: 'string' },
          from_date: { type: 'string', format: 'date-time' },
          to_date: { type: 'string', format: 'date-time' },
          run_backwards: { type: 'boolean' },
          dag_run_conf: { type: 'object' },
          reprocess_behavior: {
            type: 'string',
            enum: ['none', 'failed', 'completed'],
            description:
              'none: skip dates that have a run; failed: re-run the failed tasks of failed runs; ' +
              'completed: clear and re-run finished runs.',
          },
          max_active_runs: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
};

/** Airflow 3's create-backfill body → a request. */
function requestOf(req: Request): BackfillRequest {
  const body = jsonBody(req);
  rejectUnknownFields(body, CREATE_FIELDS);
  const from = optionalDateTime(body, 'from_date');
  const to = optionalDateTime(body, 'to_date');
  if (!from || !to) throw badRequest("fields 'from_date' and 'to_date' are required");
  const behavior = optionalString(body, 'reprocess_behavior') ?? 'none';
  if (!['none', 'failed', 'completed'].includes(behavior))
    throw badRequest(`field 'reprocess_behavior' must be none, failed or completed, got '${behavior}'`);
  return {
    dagId: requiredString(body, 'dag_id'),
    fromDate: new Date(from),
    toDate: new Date(to),
    reverse: optionalBoolean(body, 'run_backwards'),
    maxActiveRuns: optionalInteger(body, 'max_active_runs', { min: 1 }) ?? undefined,
    rerunFailedTasks: behavior === 'failed',
    resetDagruns: behavior === 'completed',
    dagRunConf: optionalObject(body, 'dag_run_conf') ?? null,
  };
}

/** A viewer sees the values under sensitive keys of the runs' conf as `***` (as for runs); op and admin as given. */
function jsonFor(req: Request, api: ApiContext): (b: BackfillView) => Record<string, unknown> {
  if (userCan(req.user, SEE_RUN_CONF)) return backfillJson;
  const words = extraSensitiveWords(api.app.config.core.sensitive_var_conn_names);
  return (b) => ({ ...backfillJson(b), dag_run_conf: maskSensitiveKeys(b.dagRunConf ?? {}, words) });
}

function backfillId(req: Request): number {
  const text = param(req, 'backfill_id');
  const id = Number(text);
  if (!/^\d{1,9}$/.test(text) || id < 1) throw badRequest(`backfill id must be a positive integer, got '${text}'`);
  return id;
}

function action(name: 'pause' | 'unpause' | 'cancel', summary: string): ApiRoute {
  return {
    method: 'post',
    path: `/x-dagctl/backfills/{backfill_id}/${name}`,
    access: 'op',
    operation: {
      summary,
      operationId: `x_dagctl_${name}_backfill`,
      tags: ['x-dagctl'],
      parameters: idParameter,
      responses: { '200': backfillResponse, ...errors, '409': { $ref: '#/components/responses/AlreadyExists' } },
    },
    async handler(req, res, api) {
      const id = backfillId(req);
      const b =
        name === 'cancel'
          ? await cancelBackfillByHand(api.app, id)
          : await setBackfillPausedByHand(api.app, id, name === 'pause');
      res.json(backfillJson(b));
    },
  };
}

/** Backfills the scheduler runs, in Airflow 3's shape (`/backfills…`). */
export const backfillRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/x-dagctl/backfills',
    access: 'viewer',
    operation: {
      summary: 'List backfills, newest first',
      operationId: 'x_dagctl_list_backfills',
      tags: ['x-dagctl'],
      parameters: [
        { name: 'dag_id', in: 'query', required: false, schema: { type: 'string' } },
        { $ref: '#/components/parameters/PageLimit' },
        { $ref: '#/components/parameters/PageOffset' },
      ],
      responses: {
        '200': {
          description: 'The backfills.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { backfills: { type: 'array', items: backfillSchema }, total_entries: { type: 'integer' } },
              },
            },
          },
        },
        ...errors,
      },
    },
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const { backfills, total } = await listBackfills(api.app, {
        dagId: queryString(req.query, 'dag_id'),
        limit: page.limit,
        offset: page.offset,
      });
      res.json({ backfills: backfills.map(jsonFor(req, api)), total_entries: total });
    },
  },
  {
    method: 'post',
    path: '/x-dagctl/backfills',
    access: 'op',
    operation: {
      summary: 'Create a backfill; the scheduler creates its runs in order',
      description: '409 when the DAG is draining or another backfill of it covers some of these dates.',
      operationId: 'x_dagctl_create_backfill',
      tags: ['x-dagctl'],
      requestBody: createBody,
      responses: { '200': backfillResponse, ...errors, '409': { $ref: '#/components/responses/AlreadyExists' } },
    },
    async handler(req, res, api) {
      res.json(backfillJson(await createBackfill(api.app, requestOf(req))));
    },
  },
  {
    method: 'post',
    path: '/x-dagctl/backfills/dry_run',
    access: 'op',
    operation: {
      summary: "List a backfill's intervals without creating anything",
      operationId: 'x_dagctl_dry_run_backfill',
      tags: ['x-dagctl'],
      requestBody: createBody,
      responses: {
        '200': {
          description: 'The intervals, in the order the runs would be created, and what would happen to each.',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        ...errors,
      },
    },
    async handler(req, res, api) {
      const plan = await planBackfill(api.app, requestOf(req));
      res.json({
        backfills: plan.intervals.map((iv) => ({
          logical_date: iv.logicalDate.toISOString(),
          data_interval_start: iv.start.toISOString(),
          data_interval_end: iv.end.toISOString(),
          action: iv.action,
          existing_run_id: iv.existingRunId,
        })),
        total_entries: plan.intervals.length,
      });
    },
  },
  {
    method: 'get',
    path: '/x-dagctl/backfills/{backfill_id}',
    access: 'viewer',
    operation: {
      summary: 'Get a backfill with its progress',
      operationId: 'x_dagctl_get_backfill',
      tags: ['x-dagctl'],
      parameters: idParameter,
      responses: { '200': backfillResponse, ...errors },
    },
    async handler(req, res, api) {
      res.json(jsonFor(req, api)(await requireBackfill(api.app, backfillId(req))));
    },
  },
  action('pause', 'Pause a backfill: no new run is created or started'),
  action('unpause', 'Unpause a backfill'),
  action('cancel', 'Cancel a backfill: no new run; its queued runs fail; running runs finish'),
];
