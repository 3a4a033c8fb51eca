import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import createClient, { type Middleware } from 'openapi-fetch';
import YAML from 'yaml';
import type { paths } from './generated/airflow-2.6.3';
import { createApiTestApp, PASSWORDS, type ApiTestApp, basicHeader } from './helpers/api-test-app';
import { OpenApiResponseValidator, validatorFromServedDocument } from './helpers/openapi-validator';
import { seedExample } from './helpers/seed-example';
import { makeDag, makeTask } from '../helpers/serialized-dags';
import { runInTransaction } from '../../src/db/transaction';
import { syncDagDatasetReferences } from '../../src/db/dataset-references';
import { createDatasetTriggeredRun, recordDatasetEvent } from '../../src/db/transitions/dataset-transitions';
import { seedDag, seedRun, seedTi } from './helpers/api-test-app';

/**
 * A client generated from Airflow 2.6.3's own document (openapi-typescript + openapi-fetch, types
 * in test/api/generated, kept fresh by airflow-client-types.integration.test.ts) calls every operation of
 * that document over HTTP; each 2xx JSON answer is validated against the document's schema.
 */

/**
 * dagctl's three built-in roles cannot be changed: on them these operations answer a 400 problem
 * naming the reason (custom roles are created, changed and deleted as in Airflow).
 */
const FIXED_ROLE_WRITES = new Set(['post_role', 'patch_role', 'delete_role']);

type Json = Record<string, unknown>;
type TriggerBody = NonNullable<paths['/dags/{dag_id}/dagRuns']['post']['requestBody']>['content']['application/json'];
const AIRFLOW_DOCUMENT = YAML.parse(
  fs.readFileSync(`${__dirname}/../../src/api/openapi/airflow-2.6.3-openapi-v1.yaml`, 'utf8'),
) as { paths: Record<string, Record<string, Json>> };
/** `METHOD path` → operationId, for every operation of Airflow's document. */
const OPERATIONS = new Map<string, string>();
for (const [path, item] of Object.entries(AIRFLOW_DOCUMENT.paths))
  for (const method of ['get', 'post', 'patch', 'delete'])
    if (item[method]) OPERATIONS.set(`${method} ${path}`, String(item[method].operationId));

let t: ApiTestApp;
let server: Server;
let validator: OpenApiResponseValidator;
const called = new Set<string>();

/** Validates every successful JSON answer against the document and records the operation. */
const validate: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const method = request.method.toLowerCase();
    const operation = OPERATIONS.get(`${method} ${schemaPath}`);
    if (!operation) throw new Error(`${method} ${schemaPath} is not an operation of Airflow's document`);
    if (!response.ok) {
      if (FIXED_ROLE_WRITES.has(operation) && response.status === 400) called.add(operation);
      return undefined;
    }
    called.add(operation);
    if (response.status !== 204 && response.headers.get('content-type')?.startsWith('application/json'))
      validator.validate(method, schemaPath, response.status, await response.clone().json());
    return undefined;
  },
};

function clientAs(role: keyof typeof PASSWORDS) {
  const { port } = server.address() as AddressInfo;
  const client = createClient<paths>({
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    headers: { Authorization: basicHeader(role, PASSWORDS[role]) },
  });
  client.use(validate);
  return client;
}

/** The data of a successful call, or a failure naming the problem the server answered. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.data === undefined)
    throw new Error(`${result.response.status}: ${JSON.stringify(result.error)}`);
  return result.data;
}

/** A successful call without a body (204). */
function noContent(result: { error?: unknown; response: Response }): void {
  if (result.response.status !== 204) throw new Error(`${result.response.status}: ${JSON.stringify(result.error)}`);
}

beforeAll(async () => {
  t = await createApiTestApp('sqlite', { env: { DAGCTL__WEBSERVER__EXPOSE_CONFIG: 'true' } });
  await seedExample(t.ds, t.ctx.config.logging.base_log_folder);
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  validator = await validatorFromServedDocument(server, t.basic('viewer'));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

const dag = { dag_id: 'example_dag' };
const run = { ...dag, dag_run_id: 'run_1' };
const ti = { ...run, task_id: 'extract' };
/** The clear flags the generated type requires (they have defaults in the document). */
const NO_CLEAR_FLAGS = {
  dry_run: true,
  only_failed: true,
  only_running: false,
  include_upstream: false,
  include_downstream: false,
  include_future: false,
  include_past: false,
};

describe("Airflow 2.6.3's generated client", () => {
  it('reads DAGs, runs, task instances, XComs, logs, sources and the instance', async () => {
    const api = clientAs('admin');
    const dags = ok(await api.GET('/dags', { params: { query: { limit: 0 } } }));
    expect(dags.dags?.map((d) => d.dag_id)).toContain('example_dag');
    const one = ok(await api.GET('/dags/{dag_id}', { params: { path: dag } }));
    ok(await api.GET('/dags/{dag_id}/details', { params: { path: dag } }));
    ok(await api.GET('/dags/{dag_id}/tasks', { params: { path: dag } }));
    ok(await api.GET('/dags/{dag_id}/tasks/{task_id}', { params: { path: { ...dag, task_id: 'extract' } } }));
    ok(await api.GET('/dagSources/{file_token}', { params: { path: { file_token: String(one.file_token) } } }));
    ok(await api.GET('/dags/{dag_id}/dagRuns', { params: { path: dag } }));
    ok(await api.POST('/dags/~/dagRuns/list', { body: { dag_ids: ['example_dag'], page_limit: 100 } }));
    ok(await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}', { params: { path: run } }));
    ok(await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances', { params: { path: run } }));
    ok(await api.POST('/dags/~/dagRuns/~/taskInstances/list', { body: { dag_ids: ['example_dag'] } }));
    ok(await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}', { params: { path: ti } }));
    ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}', {
        params: { path: { ...ti, map_index: -1 } },
      }),
    );
    const links = ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/links', { params: { path: ti } }),
    );
    expect(links).toEqual({});
    ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries', {
        params: { path: ti },
      }),
    );
    ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}', {
        params: { path: { ...ti, xcom_key: 'return_value' } },
      }),
    );
    ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{task_try_number}', {
        params: { path: { ...ti, task_try_number: 1 } },
      }),
    );
    ok(await api.GET('/importErrors'));
    ok(await api.GET('/importErrors/{import_error_id}', { params: { path: { import_error_id: 1 } } }));
    ok(await api.GET('/health'));
    ok(await api.GET('/version'));
    expect(ok(await api.GET('/plugins'))).toEqual({ plugins: [], total_entries: 0 });
    expect(ok(await api.GET('/providers'))).toEqual({ providers: [], total_entries: 0 });
    expect(ok(await api.GET('/dagWarnings')).total_entries).toBe(0);
    const config = ok(await api.GET('/config')) as { sections: Array<{ name: string; options: Json[] }> };
    const webserver = config.sections.find((s) => s.name === 'webserver');
    expect(webserver?.options).toContainEqual({ key: 'expose_config', value: 'true' });
    expect(webserver?.options).toContainEqual({ key: 'secret_key', value: expect.not.stringMatching(/.{4}/) });
  });

  it('changes DAGs, runs and task instances, with the requests Airflow accepts', async () => {
    const api = clientAs('op');
    const paused = ok(
      await api.PATCH('/dags', {
        params: { query: { dag_id_pattern: 'manual', update_mask: ['is_paused'] } },
        body: { is_paused: true },
      }),
    );
    expect(paused.dags?.map((d) => [d.dag_id, d.is_paused])).toEqual([['manual_dag', true]]);
    ok(await api.PATCH('/dags/{dag_id}', { params: { path: { dag_id: 'manual_dag' } }, body: { is_paused: false } }));
    const triggered = ok(
      await api.POST('/dags/{dag_id}/dagRuns', {
        params: { path: dag },
        // The generated type requires the read-only external_trigger (it has a default); Airflow refuses it.
        body: {
          dag_run_id: 'client_run',
          logical_date: '2026-03-01T00:00:00Z',
          conf: { password: 'hunter22' },
        } as unknown as TriggerBody,
      }),
    );
    expect(triggered.dag_run_id).toBe('client_run');
    const r = { ...dag, dag_run_id: 'client_run' };
    ok(await api.PATCH('/dags/{dag_id}/dagRuns/{dag_run_id}/setNote', { params: { path: r }, body: { note: 'n' } }));
    ok(await api.PATCH('/dags/{dag_id}/dagRuns/{dag_run_id}', { params: { path: r }, body: { state: 'failed' } }));
    ok(await api.POST('/dags/{dag_id}/dagRuns/{dag_run_id}/clear', { params: { path: r }, body: { dry_run: true } }));
    ok(
      await api.PATCH('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/setNote', {
        params: { path: ti },
        body: { note: 'looked at' },
      }),
    );
    const mappedNote = ok(
      await api.PATCH('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}/setNote', {
        params: { path: { ...ti, map_index: -1 } },
        body: { note: 'by map index' },
      }),
    );
    expect(mappedNote.note).toBe('by map index');
    ok(
      await api.PATCH('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}', {
        params: { path: ti },
        body: { dry_run: true, new_state: 'failed' },
      }),
    );
    ok(
      await api.PATCH('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index}', {
        params: { path: { ...ti, map_index: -1 } },
        body: { dry_run: true, new_state: 'failed' },
      }),
    );
    // include_past: the task in run_1 and every earlier run (none) — refused before.
    const marked = ok(
      await api.POST('/dags/{dag_id}/updateTaskInstancesState', {
        params: { path: dag },
        body: { dag_run_id: 'run_2', task_id: 'extract', new_state: 'failed', include_past: true, dry_run: true },
      }),
    );
    expect(marked.task_instances?.map((x) => x.dag_run_id)).toContain('run_1');
    // only_running with only_failed off: Airflow clears the running task instances only.
    const running = ok(
      await api.POST('/dags/{dag_id}/clearTaskInstances', {
        params: { path: dag },
        body: {
          ...NO_CLEAR_FLAGS,
          only_running: true,
          only_failed: false,
          reset_dag_runs: false,
          include_subdags: true,
          dry_run: true,
        },
      }),
    );
    for (const x of running.task_instances ?? []) expect(x.dag_run_id).toBe('run_3');
    const bad = await api.POST('/dags/{dag_id}/clearTaskInstances', {
      params: { path: dag },
      body: { ...NO_CLEAR_FLAGS, reset_dag_runs: 'yes' as unknown as boolean },
    });
    expect(bad.response.status).toBe(400);
    noContent(await api.DELETE('/dags/{dag_id}/dagRuns/{dag_run_id}', { params: { path: r } }));
    noContent(await api.DELETE('/dags/{dag_id}', { params: { path: { dag_id: 'interval_dag' } } }));
  });

  it('manages variables, pools (renaming too) and connections', async () => {
    const api = clientAs('op');
    ok(await api.GET('/variables'));
    ok(await api.POST('/variables', { body: { key: 'client_var', value: 'v' } }));
    ok(await api.GET('/variables/{variable_key}', { params: { path: { variable_key: 'client_var' } } }));
    ok(
      await api.PATCH('/variables/{variable_key}', {
        params: { path: { variable_key: 'client_var' } },
        body: { key: 'client_var', value: 'w' },
      }),
    );
    noContent(await api.DELETE('/variables/{variable_key}', { params: { path: { variable_key: 'client_var' } } }));
    ok(await api.GET('/pools'));
    ok(await api.POST('/pools', { body: { name: 'client_pool', slots: 3 } }));
    ok(await api.GET('/pools/{pool_name}', { params: { path: { pool_name: 'client_pool' } } }));
    const renamed = ok(
      await api.PATCH('/pools/{pool_name}', {
        params: { path: { pool_name: 'client_pool' } },
        body: { name: 'renamed_pool', slots: 4 },
      }),
    );
    expect(renamed).toMatchObject({ name: 'renamed_pool', slots: 4 });
    noContent(await api.DELETE('/pools/{pool_name}', { params: { path: { pool_name: 'renamed_pool' } } }));
    ok(await api.GET('/connections'));
    const conn = { connection_id: 'client_conn', conn_type: 'http', host: '127.0.0.1', password: 'pw-secret-1' };
    ok(await api.POST('/connections', { body: conn }));
    ok(await api.GET('/connections/{connection_id}', { params: { path: { connection_id: 'client_conn' } } }));
    ok(
      await api.PATCH('/connections/{connection_id}', {
        params: { path: { connection_id: 'client_conn' } },
        body: { connection_id: 'client_conn', conn_type: 'http', port: 8080 },
      }),
    );
    const { port } = server.address() as AddressInfo;
    const reachable = ok(await api.POST('/connections/test', { body: { ...conn, port } }));
    expect(reachable.status).toBe(true);
    const noPort = ok(await api.POST('/connections/test', { body: conn }));
    expect(noPort).toMatchObject({ status: false, message: expect.stringContaining('no port') });
    noContent(await api.DELETE('/connections/{connection_id}', { params: { path: { connection_id: 'client_conn' } } }));
  });

  it('manages users (never returning a password) and reads roles and permissions, as Admin only', async () => {
    const admin = clientAs('admin');
    const created = ok(
      await admin.POST('/users', {
        body: {
          username: 'bob',
          password: 'bob-pw-123',
          email: 'bob@example.com',
          first_name: 'Bob',
          last_name: 'Smith',
          roles: [{ name: 'Op' }],
        },
      }),
    );
    expect(created).toMatchObject({ username: 'bob', roles: [{ name: 'Op' }], email: 'bob@example.com' });
    expect(JSON.stringify(created)).not.toContain('bob-pw-123');
    const users = ok(await admin.GET('/users', { params: { query: { order_by: 'username' } } }));
    expect(users.users?.map((u) => u.username)).toEqual(['admin', 'bob', 'op', 'viewer']);
    ok(await admin.GET('/users/{username}', { params: { path: { username: 'bob' } } }));
    const patched = ok(
      await admin.PATCH('/users/{username}', {
        params: { path: { username: 'bob' }, query: { update_mask: ['password', 'roles'] } },
        body: { username: 'bob', email: 'bob@example.com', password: 'new-pw-456', roles: [{ name: 'Viewer' }] },
      }),
    );
    expect(patched.roles).toEqual([{ name: 'Viewer' }]);
    const { port } = server.address() as AddressInfo;
    const asBob = await fetch(`http://127.0.0.1:${port}/api/v1/dags`, {
      headers: { Authorization: basicHeader('bob', 'new-pw-456') },
    });
    expect(asBob.status).toBe(200);
    noContent(await admin.DELETE('/users/{username}', { params: { path: { username: 'bob' } } }));
    const roles = ok(await admin.GET('/roles'));
    expect(roles.roles?.map((r) => r.name)).toEqual(['Admin', 'Op', 'Viewer']);
    const op = ok(await admin.GET('/roles/{role_name}', { params: { path: { role_name: 'Op' } } }));
    expect(op.actions).toContainEqual({ action: { name: 'can_edit' }, resource: { name: 'Pools' } });
    expect(ok(await admin.GET('/permissions')).actions).toContainEqual({ name: 'can_read' });
    // Custom roles are created, changed and deleted; the three built-in roles are refused with a reason.
    expect((await admin.POST('/roles', { body: { name: 'Admin', actions: [] } })).response.status).toBe(409);
    const readDags = { action: { name: 'can_read' }, resource: { name: 'DAGs' } };
    expect(ok(await admin.POST('/roles', { body: { name: 'Custom', actions: [readDags] } }))).toEqual({
      name: 'Custom',
      actions: [readDags],
    });
    const renamed = ok(
      await admin.PATCH('/roles/{role_name}', {
        params: { path: { role_name: 'custom' }, query: { update_mask: ['name'] } },
        body: { name: 'Custom2', actions: [] },
      }),
    );
    expect(renamed).toEqual({ name: 'Custom2', actions: [readDags] });
    noContent(await admin.DELETE('/roles/{role_name}', { params: { path: { role_name: 'Custom2' } } }));
    const patch = await admin.PATCH('/roles/{role_name}', {
      params: { path: { role_name: 'Op' } },
      body: { name: 'Op' },
    });
    expect(patch.response.status).toBe(400);
    const del = await admin.DELETE('/roles/{role_name}', { params: { path: { role_name: 'Op' } } });
    expect(del.response.status).toBe(400);
    // Only admins: an Op is refused.
    expect((await clientAs('op').GET('/users')).response.status).toBe(403);
  });

  it('lists the event log of the changes above, with who made them and no secret', async () => {
    const api = clientAs('viewer');
    const logs = ok(await api.GET('/eventLogs', { params: { query: { order_by: '-event_log_id', limit: 100 } } }));
    const events = logs.event_logs ?? [];
    expect(events.find((e) => e.event === 'trigger')).toMatchObject({ dag_id: 'example_dag', owner: 'op' });
    expect(events.find((e) => e.event === 'user_create')).toMatchObject({ owner: 'admin' });
    expect(events.find((e) => e.event === 'pool_rename')).toMatchObject({ owner: 'op' });
    expect(JSON.stringify(events)).not.toMatch(/hunter22|pw-secret-1|bob-pw-123|new-pw-456/);
    const first = events[events.length - 1];
    const one = ok(
      await api.GET('/eventLogs/{event_log_id}', { params: { path: { event_log_id: first.event_log_id! } } }),
    );
    expect(one).toEqual(first);
  });

  it("reads datasets, their events, a run's upstream events and the instances of a mapped task", async () => {
    const ORDERS = 's3://bucket/orders';
    // example_dag.extract produces orders; consumer_dag is scheduled on it (references as parsing writes them).
    await seedDag(t.ds, makeDag('consumer_dag', [makeTask('use')], { fileloc: '/dags/consumer.ts' }));
    await runInTransaction(t.ds, async (m) => {
      const at = new Date('2026-01-01T00:00:00Z');
      await syncDagDatasetReferences(
        m,
        { dagId: 'example_dag', scheduleUris: [], outlets: [{ taskId: 'extract', uri: ORDERS }] },
        at,
      );
      await syncDagDatasetReferences(m, { dagId: 'consumer_dag', scheduleUris: [ORDERS], outlets: [] }, at);
      const source = { dagId: 'example_dag', runId: 'run_1', taskId: 'extract', mapIndex: -1 };
      await recordDatasetEvent(m, { uri: ORDERS, extra: { rows: 3 }, source }, new Date('2026-01-02T00:00:00Z'));
      await createDatasetTriggeredRun(
        m,
        { dagId: 'consumer_dag', datasetIds: [1], dagHash: null },
        new Date('2026-01-02T00:00:01Z'),
      );
    });
    const api = clientAs('viewer');
    const datasets = ok(await api.GET('/datasets', { params: { query: { uri_pattern: 'orders' } } }));
    expect(datasets.datasets?.map((d) => d.uri)).toEqual([ORDERS]);
    const one = ok(await api.GET('/datasets/{uri}', { params: { path: { uri: ORDERS } } }));
    expect(one.consuming_dags?.map((d) => d.dag_id)).toEqual(['consumer_dag']);
    const events = ok(await api.GET('/datasets/events', { params: { query: { source_dag_id: 'example_dag' } } }));
    expect(events.dataset_events?.map((e) => [e.dataset_uri, e.extra])).toEqual([[ORDERS, { rows: 3 }]]);
    const upstream = ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/upstreamDatasetEvents', {
        params: { path: { dag_id: 'consumer_dag', dag_run_id: 'dataset_triggered__2026-01-02T00:00:00.000Z' } },
      }),
    );
    expect(upstream.total_entries).toBe(1);

    const numbers = makeTask('numbers');
    const double = makeTask('double', ['numbers'], {
      mapped: { args: [{ name: 'input 1', upstream: { taskId: 'numbers', key: 'return_value' } }] },
    });
    await seedDag(t.ds, makeDag('mapped_dag', [numbers, double], { fileloc: '/dags/mapped.ts' }));
    const mappedRun = { dagId: 'mapped_dag', runId: 'run_1' };
    await seedRun(t.ds, { ...mappedRun, logicalDate: '2026-01-01T00:00:00.000Z', state: 'failed' });
    await seedTi(t.ds, { ...mappedRun, taskId: 'numbers', state: 'success' });
    for (const [mapIndex, state] of [
      [1, 'failed'],
      [0, 'success'],
    ] as const)
      await seedTi(t.ds, { ...mappedRun, taskId: 'double', mapIndex, state });
    const mapped = ok(
      await api.GET('/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/listMapped', {
        params: { path: { dag_id: 'mapped_dag', dag_run_id: 'run_1', task_id: 'double' } },
      }),
    );
    expect(mapped.task_instances?.map((x) => [x.map_index, x.state])).toEqual([
      [0, 'success'],
      [1, 'failed'],
    ]);
  });

  it('called every operation; the served document lists them all', async () => {
    expect([...called].sort()).toEqual([...OPERATIONS.values()].sort());
    for (const key of OPERATIONS.keys()) {
      const [method, path] = key.split(' ');
      expect(validator.hasOperation(method, path)).toBe(true);
    }
  });
});
