import { execSql } from '../../db/sql';
import type { ApiRoute } from '../api-context';
import { param } from '../api-context';
import { filelocFromToken } from '../file-token';
import { checkHealth } from '../health-check';
import { packageVersion } from '../package-version';
import { badRequest, notFound } from '../../http/problem';
import { queryOrderBy, queryPage } from '../query-params';
import { isoOrNull } from '../serializers/api-dates';
import { pagedQuery, Where } from '../sql-helpers';
import { assertInt32 } from '../../http/hostile-input';

const IMPORT_ERROR_ORDER: Record<string, string> = {
  import_error_id: 'e.id',
  id: 'e.id',
  timestamp: 'e.timestamp',
  filename: 'e.filename',
};

function importErrorJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    import_error_id: Number(row.id),
    timestamp: isoOrNull(row.timestamp) ?? '',
    filename: row.filename,
    stack_trace: row.stacktrace,
  };
}

export const miscRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/importErrors',
    access: 'viewer',
    async handler(req, res, api) {
      const page = queryPage(req.query);
      const order = queryOrderBy(req.query, IMPORT_ERROR_ORDER, 'import_error_id');
      const { rows, total } = await pagedQuery(api.app.dataSource, {
        select: 'e.id, e.filename, e.stacktrace, e.timestamp',
        from: 'import_error e',
        where: new Where(),
        order,
        tieBreaker: 'e.id',
        page,
      });
      res.json({ import_errors: rows.map(importErrorJson), total_entries: total });
    },
  },
  {
    method: 'get',
    path: '/importErrors/{import_error_id}',
    access: 'viewer',
    async handler(req, res, api) {
      const raw = param(req, 'import_error_id');
      if (!/^\d+$/.test(raw)) throw badRequest(`path parameter 'import_error_id' must be an integer, got '${raw}'`);
      const { records } = await execSql(
        api.app.dataSource,
        'SELECT e.id, e.filename, e.stacktrace, e.timestamp FROM import_error e WHERE e.id = ?',
        [assertInt32(Number(raw), "path parameter 'import_error_id'")],
      );
      if (!records[0]) throw notFound(`import error ${raw} not found`);
      res.json(importErrorJson(records[0]));
    },
  },
  {
    method: 'get',
    path: '/dagSources/{file_token}',
    access: 'viewer',
    async handler(req, res, api) {
      const fileloc = filelocFromToken(api.secretKey, param(req, 'file_token'));
      if (fileloc === null) throw notFound('no DAG source for this file token');
      const { records } = await execSql<{ source_code: string }>(
        api.app.dataSource,
        'SELECT source_code FROM dag_code WHERE fileloc = ?',
        [fileloc],
      );
      if (!records[0]) throw notFound(`no source stored for ${fileloc}`);
      if (req.accepts(['application/json', 'text/plain']) === 'text/plain') {
        res.type('text/plain; charset=utf-8').send(records[0].source_code);
        return;
      }
      res.json({ content: records[0].source_code });
    },
  },
  {
    method: 'get',
    path: '/health',
    access: 'public',
    async handler(_req, res, api) {
      res.json(await checkHealth(api.app));
    },
  },
  {
    method: 'get',
    path: '/version',
    access: 'viewer',
    handler(_req, res) {
      res.json({ version: packageVersion(), git_version: null });
    },
  },
];
