import type { ApiRoute } from '../../../src/api/api-context';

/** Sample values for path parameters, pointing at the data of seedExample. */
export const SAMPLE_PARAMS: Record<string, string> = {
  dag_id: 'example_dag',
  dag_run_id: 'run_1',
  task_id: 'extract',
  map_index: '-1',
  task_try_number: '1',
  xcom_key: 'return_value',
  variable_key: 'var1',
  pool_name: 'small',
  connection_id: 'db1',
  import_error_id: '1',
  file_token: 'x',
  token_id: '1',
  uri: 's3://bucket/orders',
  username: 'viewer',
  role_name: 'Viewer',
  event_log_id: '1',
  backfill_id: '1',
};

export function sampleUrl(route: Pick<ApiRoute, 'path'>, params: Record<string, string> = {}): string {
  return (
    '/api/v1' +
    route.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? SAMPLE_PARAMS[name]))
  );
}
