import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import { taskLogPath } from '../../logging/task-log-path';
import { readTaskLog } from '../../services/read-task-log';
import type { ApiRoute } from '../api-context';
import { param } from '../api-context';
import { badRequest, notFound } from '../../http/problem';
import { queryBool, queryInt, queryString } from '../query-params';
import { loadTiRow } from './task-instance-routes';
import { incompleteUtf8Tail } from '../../logging/utf8-boundary';
import { assertInt32 } from '../../http/hostile-input';

/** Bytes returned per request unless `full_content=true`; clients follow `continuation_token`. */
export const LOG_CHUNK_BYTES = 1024 * 1024;

/** Ids naming folders of the log tree: refuse anything that could step out of it. */
function safeId(req: Request, name: string): string {
  const value = param(req, name);
  // eslint-disable-next-line no-control-regex
  if (!value || value.includes('/') || value.includes('\\') || value.includes('..') || /[\x00-\x1f]/.test(value)) {
    throw badRequest(`path parameter '${name}' is not a valid id: '${value.slice(0, 100)}'`);
  }
  return value;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0)
      return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw badRequest("query parameter 'token' is not a valid continuation token");
}

function readChunk(file: string, offset: number, maxBytes: number): { text: string; next: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (offset >= size) return { text: '', next: offset };
    const length = Math.min(size - offset, maxBytes);
    const buf = Buffer.alloc(length);
    const read = fs.readSync(fd, buf, 0, length, offset);
    let used = buf.subarray(0, read);
    if (read === maxBytes) used = used.subarray(0, used.length - incompleteUtf8Tail(used));
    return { text: used.toString('utf8'), next: offset + used.length };
  } finally {
    fs.closeSync(fd);
  }
}

export const logRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{task_try_number}',
    access: 'viewer',
    async handler(req, res, api) {
      const dagId = safeId(req, 'dag_id');
      const runId = safeId(req, 'dag_run_id');
      const taskId = safeId(req, 'task_id');
      const rawTry = param(req, 'task_try_number');
      if (!/^\d+$/.test(rawTry) || Number(rawTry) < 1)
        throw badRequest(`path parameter 'task_try_number' must be a positive integer, got '${rawTry.slice(0, 100)}'`);
      const tryNumber = assertInt32(Number(rawTry), "path parameter 'task_try_number'");
      const mapIndex = queryInt(req.query, 'map_index', { min: -1 }) ?? -1;
      const fullContent = queryBool(req.query, 'full_content') ?? false;
      const token = queryString(req.query, 'token');
      const offset = token ? decodeToken(token) : 0;

      const ti = await loadTiRow(api, dagId, runId, taskId, mapIndex);
      if (tryNumber > Math.max(1, Number(ti.try_number ?? 0)))
        throw notFound(`task instance '${taskId}' has no try ${tryNumber} (latest is ${String(ti.try_number)})`);

      const base = path.resolve(api.app.config.logging.base_log_folder);
      const file = taskLogPath(base, { dagId, runId, taskId, mapIndex }, tryNumber);
      const relative = path.relative(base, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) throw notFound('log not found');

      const max = fullContent ? api.app.config.logging.task_log_max_bytes : LOG_CHUNK_BYTES;
      const log = await readTaskLog(api.app.config, { dagId, runId, taskId, mapIndex }, tryNumber, offset, () => {
        if (!fs.existsSync(file)) return { content: '', nextOffset: offset, size: 0, exists: false };
        const local = readChunk(file, offset, max);
        return { content: local.text, nextOffset: local.next, size: local.next, exists: true };
      });
      const chunk = { text: log.content, next: log.nextOffset };
      const continuation = encodeToken(chunk.next);
      if (req.accepts(['application/json', 'text/plain']) === 'text/plain') {
        res.setHeader('X-Continuation-Token', continuation);
        res.type('text/plain; charset=utf-8').send(chunk.text);
        return;
      }
      res.json({ content: chunk.text, continuation_token: continuation });
    },
  },
];
