import { createApiToken, listApiTokens, revokeApiToken } from '../../auth/api-tokens';
import type { ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest } from '../../http/problem';
import { jsonBody, optionalDateTime, rejectUnknownFields, requiredString } from '../request-body';
import { assertInt32 } from '../../http/hostile-input';

const TOKEN_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    token_prefix: { type: 'string', description: 'The first characters of the token, to tell tokens apart.' },
    created_at: { type: 'string', format: 'date-time', nullable: true },
    expires_at: { type: 'string', format: 'date-time', nullable: true },
    last_used_at: { type: 'string', format: 'date-time', nullable: true },
  },
};
const errors = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthenticated' },
  '403': { $ref: '#/components/responses/PermissionDenied' },
};
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

/** dagctl additions to Airflow's API, under /api/v1/x-dagctl/… */
export const xDagctlRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/x-dagctl/whoami',
    access: 'viewer',
    operation: {
      summary: 'The authenticated user',
      operationId: 'x_dagctl_whoami',
      tags: ['x-dagctl'],
      responses: {
        '200': {
          description: 'Success.',
          ...json({
            type: 'object',
            properties: {
              username: { type: 'string' },
              role: { type: 'string', description: 'admin, op, viewer or a custom role' },
              auth_method: { type: 'string', enum: ['session', 'basic', 'token'] },
            },
          }),
        },
        ...errors,
      },
    },
    handler(req, res) {
      const user = req.user!;
      res.json({ username: user.username, role: user.role, auth_method: user.authMethod });
    },
  },
  {
    method: 'get',
    path: '/x-dagctl/tokens',
    access: 'viewer',
    operation: {
      summary: "The calling user's API tokens (secrets are never shown again)",
      operationId: 'x_dagctl_list_tokens',
      tags: ['x-dagctl'],
      responses: {
        '200': {
          description: 'Success.',
          ...json({
            type: 'object',
            properties: { tokens: { type: 'array', items: TOKEN_SCHEMA }, total_entries: { type: 'integer' } },
          }),
        },
        ...errors,
      },
    },
    async handler(req, res, api) {
      const tokens = await listApiTokens(api.app.dataSource, req.user!.id);
      res.json({ tokens, total_entries: tokens.length });
    },
  },
  {
    method: 'post',
    path: '/x-dagctl/tokens',
    access: 'viewer',
    operation: {
      summary: 'Create an API token for the calling user; use it as `Authorization: Bearer <token>`',
      operationId: 'x_dagctl_create_token',
      tags: ['x-dagctl'],
      requestBody: {
        required: true,
        ...json({
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, expires_at: { type: 'string', format: 'date-time', nullable: true } },
        }),
      },
      responses: {
        '201': {
          description: 'Created; `token` is shown only this once.',
          ...json({ allOf: [TOKEN_SCHEMA, { type: 'object', properties: { token: { type: 'string' } } }] }),
        },
        ...errors,
      },
    },
    async handler(req, res, api) {
      const body = jsonBody(req);
      rejectUnknownFields(body, ['name', 'expires_at']);
      const expires = optionalDateTime(body, 'expires_at');
      const created = await createApiToken(api.app.dataSource, {
        userId: req.user!.id,
        name: requiredString(body, 'name'),
        expiresAt: expires ? new Date(expires) : null,
        now: api.app.clock.now(),
      });
      res.status(201).json(created);
    },
  },
  {
    method: 'delete',
    path: '/x-dagctl/tokens/{token_id}',
    access: 'viewer',
    operation: {
      summary: 'Revoke one of your API tokens',
      operationId: 'x_dagctl_revoke_token',
      tags: ['x-dagctl'],
      parameters: [{ in: 'path', name: 'token_id', required: true, schema: { type: 'integer' } }],
      responses: { '204': { description: 'Revoked.' }, ...errors, '404': { $ref: '#/components/responses/NotFound' } },
    },
    async handler(req, res, api) {
      const raw = param(req, 'token_id');
      if (!/^\d+$/.test(raw)) throw badRequest(`path parameter 'token_id' must be an integer, got '${raw}'`);
      await revokeApiToken(api.app.dataSource, {
        id: assertInt32(Number(raw), "path parameter 'token_id'"),
        userId: req.user!.id,
      });
      res.status(204).end();
    },
  },
];
