import fs from 'node:fs';
import YAML from 'yaml';
import { runtimeAsset } from '../../core/runtime-assets';
import type { ApiRoute } from '../api-context';
import { packageVersion } from '../package-version';

type Json = Record<string, unknown>;

let airflowDocument: Json | null = null;

/** Airflow 2.6.3's stable API document (Apache License 2.0), shipped unchanged beside this file. */
export function loadAirflowDocument(): Json {
  if (!airflowDocument)
    airflowDocument = YAML.parse(fs.readFileSync(runtimeAsset('airflowOpenApiDocument'), 'utf8')) as Json;
  return airflowDocument;
}

/**
 * The OpenAPI document dagctl serves: Airflow's, filtered to the operations dagctl implements,
 * plus the x-dagctl extras. One correction: Airflow 2.6.3's TriggerRule enum lacks
 * all_skipped, one_done and always, which Airflow itself returns for such tasks.
 */
export function buildOpenApiDocument(routes: readonly ApiRoute[]): Json {
  const source = structuredClone(loadAirflowDocument());
  const sourcePaths = source.paths as Record<string, Json>;
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    let operation: Json | undefined;
    if (route.operation) operation = structuredClone(route.operation);
    else {
      const item = sourcePaths[route.path];
      operation = item?.[route.method] as Json | undefined;
      if (!operation)
        throw new Error(`route ${route.method.toUpperCase()} ${route.path} is not in Airflow's API document`);
      delete operation['x-openapi-router-controller'];
      if (item.parameters && !paths[route.path]) paths[route.path] = { parameters: item.parameters };
    }
    if (route.access === 'public') operation.security = [];
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation };
  }
  const components = source.components as Json;
  const schemas = components.schemas as Record<string, Json>;
  const triggerRule = schemas.TriggerRule.enum as string[];
  for (const rule of ['all_skipped', 'one_done', 'always']) if (!triggerRule.includes(rule)) triggerRule.push(rule);
  components.securitySchemes = {
    Basic: { type: 'http', scheme: 'basic' },
    Bearer: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/v1/x-dagctl/tokens.' },
    Session: {
      type: 'apiKey',
      in: 'cookie',
      name: 'dagctl_session',
      description: 'The web UI login session (state changes also need X-CSRF-Token).',
    },
  };
  return {
    openapi: source.openapi,
    info: {
      title: 'dagctl REST API (Airflow-compatible)',
      version: packageVersion(),
      description:
        "The subset of Airflow 2.6.3's stable REST API that dagctl implements, with the same paths, fields and " +
        'errors, plus dagctl extras under /x-dagctl.',
      license: { name: 'Apache 2.0', url: 'http://www.apache.org/licenses/LICENSE-2.0.html' },
    },
    servers: [{ url: '/api/v1' }],
    paths,
    components,
    security: [{ Basic: [] }, { Bearer: [] }, { Session: [] }],
    tags: [...(source.tags as Json[]), { name: 'x-dagctl' }],
  };
}
