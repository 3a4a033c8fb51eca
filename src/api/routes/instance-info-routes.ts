import { describeConfig } from '../../config/describe-config';
import { HttpProblem } from '../../http/problem';
import type { ApiRoute } from '../api-context';
import { queryPage } from '../query-params';

/**
 * What an Airflow deployment reports about itself: its configuration (behind
 * `webserver.expose_config`), and its plugins, providers and DAG warnings — dagctl has none of
 * those three, so their lists are empty, in the document's shape.
 */
export const instanceInfoRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/config',
    access: 'op',
    handler(req, res, api) {
      if (!api.app.config.webserver.expose_config)
        throw new HttpProblem(
          403,
          'the configuration is not exposed: set webserver.expose_config to true to read it here ' +
            '(secret values are masked)',
        );
      const sections = new Map<string, Array<{ key: string; value: string }>>();
      for (const row of describeConfig(api.app.config)) {
        const options = sections.get(row.section) ?? [];
        options.push({ key: row.key, value: String(row.value) });
        sections.set(row.section, options);
      }
      if (req.accepts(['application/json', 'text/plain']) === 'text/plain') {
        const ini = [...sections].map(
          ([name, options]) => `[${name}]\n${options.map((o) => `${o.key} = ${o.value}\n`).join('')}`,
        );
        res.type('text/plain; charset=utf-8').send(ini.join('\n'));
        return;
      }
      res.json({ sections: [...sections].map(([name, options]) => ({ name, options })) });
    },
  },
  {
    method: 'get',
    path: '/plugins',
    access: 'viewer',
    handler(req, res) {
      queryPage(req.query);
      res.json({ plugins: [], total_entries: 0 });
    },
  },
  {
    method: 'get',
    path: '/providers',
    access: 'viewer',
    handler(_req, res) {
      res.json({ providers: [], total_entries: 0 });
    },
  },
  {
    method: 'get',
    path: '/dagWarnings',
    access: 'viewer',
    handler(req, res) {
      queryPage(req.query);
      // The document names the list `import_errors`; Airflow itself answers `dag_warnings`: both, empty.
      res.json({ dag_warnings: [], import_errors: [], total_entries: 0 });
    },
  },
];
