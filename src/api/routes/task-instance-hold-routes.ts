import type { Request } from 'express';
import { holdTask, resumeTask } from '../../services/hold-task-instance';
import type { ApiContext, ApiRoute } from '../api-context';
import { param } from '../api-context';
import { jsonBody, optionalInteger, optionalString, rejectUnknownFields } from '../request-body';
import { TASK_INSTANCE_COLUMNS, TASK_INSTANCE_FROM, taskInstanceJson } from '../serializers/task-instance-json';
import { execSql } from '../../db/sql';

const PATH = '/x-dagctl/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}';

const errors = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthenticated' },
  '403': { $ref: '#/components/responses/PermissionDenied' },
  '404': { $ref: '#/components/responses/NotFound' },
};
const parameters = [
  { $ref: '#/components/parameters/DAGID' },
  { $ref: '#/components/parameters/DAGRunID' },
  { $ref: '#/components/parameters/TaskID' },
];
const taskInstanceResponse = {
  description: 'The task instance, with `held`, `held_by` and `hold_reason`.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskInstance' } } },
};

async function heldTaskInstance(
  api: ApiContext,
  key: { dagId: string; runId: string; taskId: string; mapIndex: number },
) {
  const { records } = await execSql(
    api.app.dataSource,
    `SELECT ${TASK_INSTANCE_COLUMNS} FROM ${TASK_INSTANCE_FROM}
     WHERE ti.dag_id = ? AND ti.run_id = ? AND ti.task_id = ? AND ti.map_index = ?`,
    [key.dagId, key.runId, key.taskId, key.mapIndex],
  );
  return taskInstanceJson(records[0]);
}

/** The task instance a hold/resume request names: path, plus `map_index` in the body for a mapped task. */
function keyOf(
  req: Request,
  allowed: string[],
): { key: { dagId: string; runId: string; taskId: string; mapIndex: number }; body: Record<string, unknown> } {
  const body = jsonBody(req, { optional: true });
  rejectUnknownFields(body, allowed);
  const mapIndex = optionalInteger(body, 'map_index', { min: -1 }) ?? -1;
  return {
    key: { dagId: param(req, 'dag_id'), runId: param(req, 'dag_run_id'), taskId: param(req, 'task_id'), mapIndex },
    body,
  };
}

/** dagctl extras: hold one task instance that is not queued yet (`tasks hold`) and release it (`tasks resume`). */
export const taskInstanceHoldRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: `${PATH}/hold`,
    access: 'op',
    operation: {
      summary: 'Hold a task instance that is not queued yet',
      description:
        'The scheduler does not queue it until it is resumed; the rest of the run goes on. ' +
        '409 when it is already queued, running or finished.',
      operationId: 'x_dagctl_hold_task_instance',
      tags: ['x-dagctl'],
      parameters,
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                reason: { type: 'string', nullable: true, description: 'One line, at most 500 characters.' },
                map_index: { type: 'integer', description: 'For a mapped task; -1 (default) otherwise.' },
              },
            },
          },
        },
      },
      responses: { '200': taskInstanceResponse, ...errors, '409': { $ref: '#/components/responses/AlreadyExists' } },
    },
    async handler(req, res, api) {
      const { key, body } = keyOf(req, ['reason', 'map_index']);
      const reason = optionalString(body, 'reason', { nullable: true }) ?? null;
      await holdTask(api.app, key, { reason, actor: req.user?.username ?? null });
      res.json(await heldTaskInstance(api, key));
    },
  },
  {
    method: 'post',
    path: `${PATH}/resume`,
    access: 'op',
    operation: {
      summary: 'Release a held task instance',
      description: 'The scheduler queues it once its other rules pass. A task instance not held is left as it is.',
      operationId: 'x_dagctl_resume_task_instance',
      tags: ['x-dagctl'],
      parameters,
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: { map_index: { type: 'integer', description: 'For a mapped task; -1 (default) otherwise.' } },
            },
          },
        },
      },
      responses: { '200': taskInstanceResponse, ...errors },
    },
    async handler(req, res, api) {
      const { key } = keyOf(req, ['map_index']);
      await resumeTask(api.app, key, { actor: req.user?.username ?? null });
      res.json(await heldTaskInstance(api, key));
    },
  },
];
