import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  ConnectionEntity,
  ImportErrorEntity,
  TaskInstanceHistoryEntity,
  UserEntity,
  VariableEntity,
  XComEntity,
} from '../../src/db/entities';
import { taskLogPath } from '../../src/logging/task-log-path';
import { runInTransaction } from '../../src/db/transaction';
import { syncDagDatasetReferences } from '../../src/db/dataset-references';
import { recordDatasetEvent } from '../../src/db/transitions/dataset-transitions';
import { ADMIN, OP, uiTestAppFor, VIEWER, makeDag, makeTask, seedDag, seedRun, seedTi } from './helpers/ui-fixtures';

const EVIL_TASK = '<script>alert("task")</script>';
const EVIL_DESC = '<script>alert("desc")</script> & more';
const EVIL_CONF = '<script>alert("conf")</script>';
const EVIL_LOG = '<script>alert("log")</script>';
const EVIL_XCOM = '<script>alert("xcom")</script>';
const EVIL_DAG = 'evil<img src=x onerror=alert(1)>';

/** The raw payload must never appear; its escaped form must. */
function expectEscaped(html: string, payload: string): void {
  expect(html).not.toContain(payload);
  expect(html).toContain(
    payload
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
      .replace(/\\/g, '&#92;'),
  );
}

describe('UI pages', () => {
  const t = uiTestAppFor('all');

  beforeAll(async () => {
    const hello = makeDag(
      'hello_world',
      [
        makeTask('dummy_task', { operator: 'EmptyOperator' }),
        makeTask('hello_task', { operator: 'FunctionOperator', templateFields: { bashCommand: 'echo {{ ds }}' } }),
      ],
      {
        description: 'Simple tutorial DAG',
        tags: ['tutorial'],
        params: { name: { value: 'world', type: 'string', description: 'who to greet' } },
      },
    );
    await seedDag(t.ds, hello, { code: "import { DAG } from 'dagctl';\nconst dag = new DAG('hello_world', {});\n" });
    await seedRun(t.ds, 'hello_world', 'manual__1', 'success', '2026-03-01T10:00:00.000Z');
    await seedRun(t.ds, 'hello_world', 'manual__2', 'running', '2026-03-01T11:00:00.000Z');
    await seedTi(t.ds, 'hello_world', 'manual__1', 'dummy_task', 'success');
    await seedTi(t.ds, 'hello_world', 'manual__1', 'hello_task', 'success');
    await seedTi(t.ds, 'hello_world', 'manual__2', 'dummy_task', 'failed');
    await seedTi(t.ds, 'hello_world', 'manual__2', 'hello_task', 'upstream_failed');

    const evil = makeDag(
      'xss_dag',
      [makeTask(EVIL_TASK, { templateFields: { bashCommand: '<script>alert("tpl")</script>' } }), makeTask('after')],
      {
        description: EVIL_DESC,
        tags: ['<script>alert("tag")</script>'],
        params: { p: EVIL_CONF },
      },
    );
    await seedDag(t.ds, evil, { code: '// <script>alert("code")</script>\n' });
    await seedRun(t.ds, 'xss_dag', 'run<script>', 'success', '2026-03-01T09:00:00.000Z', { x: EVIL_CONF });
    await seedTi(t.ds, 'xss_dag', 'run<script>', EVIL_TASK, 'success', {
      renderedFields: { bashCommand: '<script>alert("rendered")</script>' },
    });
    await t.ds.getRepository(XComEntity).save({
      dagId: 'xss_dag',
      runId: 'run<script>',
      taskId: EVIL_TASK,
      mapIndex: -1,
      key: 'return_value',
      value: JSON.stringify(EVIL_XCOM),
      timestamp: new Date(),
    });
    await t.ds.getRepository(TaskInstanceHistoryEntity).save({
      dagId: 'xss_dag',
      runId: 'run<script>',
      taskId: EVIL_TASK,
      mapIndex: -1,
      tryNumber: 1,
      state: 'success',
      startDate: new Date('2026-03-01T10:00:00Z'),
      endDate: new Date('2026-03-01T10:00:05Z'),
      duration: 5,
    });
    const logFile = taskLogPath(
      t.logDir,
      { dagId: 'xss_dag', runId: 'run<script>', taskId: EVIL_TASK, mapIndex: -1 },
      1,
    );
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.writeFileSync(logFile, `starting\n${EVIL_LOG}\ndone\n`);

    await seedDag(t.ds, makeDag(EVIL_DAG, [makeTask('only')]));
    await t.ds.getRepository(ImportErrorEntity).save({
      filename: '/dags/broken<script>.ts',
      stacktrace: 'SyntaxError: <script>alert("err")</script> at line 3',
      timestamp: new Date(),
    });
  });

  const get = (url: string, user = VIEWER) => request(t.app).get(url).set('x-test-user', user);

  it('redirects anonymous users to the login page, which renders a form with a CSRF field', async () => {
    const anon = await request(t.app).get('/dags/hello_world/grid');
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toMatch(/^\/login\?next=/);
    const login = await request(t.app).get('/login?next=%2Fdags%2Fhello_world%2Fgrid&error=invalid');
    expect(login.status).toBe(200);
    expect(login.text).toContain('action="/login"');
    expect(login.text).toContain('name="_csrf" value="csrf-anonymous"');
    expect(login.text).toContain('value="/dags/hello_world/grid"');
    expect(login.text).toContain('Invalid username or password.');
    const offsite = await request(t.app).get('/login?next=//evil.example.com');
    expect(offsite.text).toContain('name="next" value="/"');
  });

  it('lists DAGs with tags, schedule in words, run dots, next run and the import error banner', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/dags/hello_world/grid"');
    expect(res.text).toContain('tutorial');
    expect(res.text).toContain('At 12:00');
    expect(res.text).toContain('2026-03-02 12:00:00 UTC');
    expect(res.text).toMatch(/class="dot state-success"[^>]*title="manual__1 · success"/);
    expect(res.text).toMatch(/class="dot state-running"[^>]*title="manual__2 · running"/);
    expect(res.text).toContain('Import errors (1)');
    expectEscaped(res.text, '/dags/broken<script>.ts');
    expectEscaped(res.text, 'SyntaxError: <script>alert("err")</script> at line 3');
    expectEscaped(res.text, EVIL_DESC);
    expectEscaped(res.text, EVIL_DAG);
    expect(res.text).toContain(`href="/dags/${encodeURIComponent(EVIL_DAG)}/grid"`);
    // viewers see the paused state but get no toggle form and no trigger button
    expect(res.text).not.toContain('/pause"');
    expect(res.text).not.toContain('/trigger"');
  });

  it('shows pause toggles and trigger buttons to ops, and filters by tag', async () => {
    const res = await get('/', OP);
    expect(res.text).toContain('action="/dags/hello_world/pause"');
    expect(res.text).toContain('href="/dags/hello_world/trigger"');
    const filtered = await get('/?tag=tutorial');
    expect(filtered.text).toContain('href="/dags/hello_world/grid"');
    expect(filtered.text).not.toContain('href="/dags/xss_dag/grid"');
  });

  it('renders the grid: runs × tasks coloured by state, cells linking to task instances', async () => {
    const res = await get('/dags/hello_world/grid');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /class="cell state-success" href="\/dags\/hello_world\/runs\/manual__1\/tasks\/dummy_task"/,
    );
    expect(res.text).toMatch(
      /class="cell state-failed" href="\/dags\/hello_world\/runs\/manual__2\/tasks\/dummy_task"/,
    );
    expect(res.text).toMatch(/class="cell state-upstream_failed"/);
    expect(res.text).toContain('data-url="/ui/dags/hello_world/grid.json?num_runs=25"');
    expect(res.text).toContain('/ui/static/live-grid.js');
    // latest run selected by default, with its details
    expect(res.text).toContain('id="run-state" class="badge state-running"');
  });

  it('escapes task ids, description, tags and conf on the grid', async () => {
    const res = await get('/dags/xss_dag/grid?run_id=run%3Cscript%3E');
    expect(res.status).toBe(200);
    expectEscaped(res.text, EVIL_TASK);
    expectEscaped(res.text, EVIL_DESC);
    expectEscaped(res.text, '<script>alert("tag")</script>');
    expect(res.text).not.toContain(EVIL_CONF);
    expectEscaped(res.text, JSON.stringify(EVIL_CONF));
    // the embedded JSON for live refresh is an escaped attribute, not a script
    expect(res.text).toMatch(/data-grid="\{&quot;dagId&quot;:&quot;xss_dag&quot;/);
    expect(res.text).toContain(`/tasks/${encodeURIComponent(EVIL_TASK)}`);
  });

  it('renders the graph as SVG laid out by dagre, coloured by the selected run', async () => {
    const res = await get('/dags/hello_world/graph?run_id=manual__1');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<svg class="graph"');
    expect(res.text).toMatch(/<g class="node kind-task state-success" data-task-ids="\[&quot;dummy_task&quot;\]"/);
    expect(res.text).toMatch(/<path class="edge" d="M[\d.]+,[\d.]+/);
    expect(res.text).toContain('href="/dags/hello_world/runs/manual__1/tasks/hello_task"');
    const latest = await get('/dags/hello_world/graph');
    expect(latest.text).toMatch(/<g class="node kind-task state-failed"/);
    expect(latest.text).toContain('data-follow-latest="true"');
    const evil = await get('/dags/xss_dag/graph');
    expectEscaped(evil.text, EVIL_TASK);
  });

  it('draws task groups as clusters that collapse into one box and expand again', async () => {
    const tasks = [
      makeTask('begin'),
      makeTask('load_a', { taskGroup: 'load' }),
      makeTask('load_b', { taskGroup: 'load' }),
      makeTask('finish'),
    ];
    await seedDag(
      t.ds,
      makeDag('grouped', tasks, {}, [
        ['begin', 'load_a'],
        ['begin', 'load_b'],
        ['load_a', 'finish'],
        ['load_b', 'finish'],
      ]),
    );
    await seedRun(t.ds, 'grouped', 'g1', 'running', '2026-03-01T07:00:00.000Z');
    await seedTi(t.ds, 'grouped', 'g1', 'load_a', 'success');
    await seedTi(t.ds, 'grouped', 'g1', 'load_b', 'failed');
    const expanded = await get('/dags/grouped/graph');
    expect(expanded.text).toContain('<g class="cluster">');
    expect(expanded.text).toContain('href="?collapsed=load"');
    expect(expanded.text).toMatch(/data-task-ids="\[&quot;load_a&quot;\]"/);
    const collapsed = await get('/dags/grouped/graph?collapsed=load');
    expect(collapsed.text).not.toContain('<g class="cluster">');
    expect(collapsed.text).toMatch(
      /<g class="node kind-group state-failed" data-task-ids="\[&quot;load_a&quot;,&quot;load_b&quot;\]"/,
    );
    expect(collapsed.text).toContain('href="?collapsed="');
    expect(collapsed.text).toContain('2 tasks');
  });

  it('renders the gantt of a run and the durations chart', async () => {
    const gantt = await get('/dags/hello_world/gantt?run_id=manual__1');
    expect(gantt.status).toBe(200);
    expect(gantt.text).toContain('<svg class="gantt"');
    expect(gantt.text).toMatch(/<rect class="bar state-success"/);
    expect(gantt.text).toContain('dummy_task · success · try 1');
    const durations = await get('/dags/hello_world/durations');
    expect(durations.status).toBe(200);
    expect(durations.text).toContain('<svg class="durations"');
    expect(durations.text).toMatch(/<polyline fill="none" stroke="#[0-9a-f]{6}"/);
    expect(durations.text).toContain('hello_task · manual__1 · 5.0 s');
    const evil = await get('/dags/xss_dag/gantt');
    expectEscaped(evil.text, EVIL_TASK);
  });

  it('shows the code from dag_code and the details (timetable, params, options), escaped', async () => {
    const code = await get('/dags/hello_world/code');
    expect(code.text).toContain('const dag = new DAG(&#39;hello_world&#39;, {});');
    const evilCode = await get('/dags/xss_dag/code');
    expectEscaped(evilCode.text, '// <script>alert("code")</script>');
    const details = await get('/dags/hello_world/details');
    expect(details.text).toContain('<code>0 12 * * *</code>');
    expect(details.text).toContain('&quot;who to greet&quot;');
    expect(details.text).toContain('Max active runs');
    expect(details.text).not.toContain('Delete DAG');
    const asOp = await get('/dags/hello_world/details', OP);
    expect(asOp.text).toContain('action="/dags/hello_world/delete"');
  });

  it('shows a task instance: state, tries, rendered fields, XCom, log, up/downstream links — all escaped', async () => {
    const url = `/dags/xss_dag/runs/${encodeURIComponent('run<script>')}/tasks/${encodeURIComponent(EVIL_TASK)}`;
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Rendered template fields');
    expectEscaped(res.text, '<script>alert("rendered")</script>');
    expectEscaped(res.text, JSON.stringify(EVIL_XCOM));
    expectEscaped(res.text, EVIL_LOG);
    expectEscaped(res.text, EVIL_TASK);
    expect(res.text).toContain('Attempt 1');
    expect(res.text).toContain('href="/dags/xss_dag/runs/run%3Cscript%3E/tasks/after"');
    expect(res.text).toContain('data-live="false"');
    expect(res.text).not.toContain('/clear"');
    const asOp = await get(url, OP);
    expect(asOp.text).toContain(
      `action="/dags/xss_dag/runs/run%3Cscript%3E/tasks/${encodeURIComponent(EVIL_TASK)}/clear"`,
    );
  });

  it('shows raw template fields before a task ran, and a live log for a running task', async () => {
    await seedRun(t.ds, 'hello_world', 'manual__3', 'running', '2026-03-01T11:30:00.000Z');
    await seedTi(t.ds, 'hello_world', 'manual__3', 'dummy_task', 'running');
    const running = await get('/dags/hello_world/runs/manual__3/tasks/dummy_task');
    expect(running.text).toContain('data-live="true"');
    expect(running.text).toContain('/ui/static/log-tail.js');
    const notRun = await get('/dags/hello_world/runs/manual__3/tasks/hello_task');
    expect(notRun.status).toBe(200);
    expect(notRun.text).toContain('>Template fields<');
    expect(notRun.text).toContain('echo {{ ds }}');
    expect(notRun.text).toContain('No attempt yet.');
  });

  it('says why a task instance is not running: each failing rule with its reason', async () => {
    await seedDag(t.ds, makeDag('waiting_dag', [makeTask('first'), makeTask('second')])); // first → second
    await seedRun(t.ds, 'waiting_dag', 'manual__1', 'running', '2026-03-01T12:00:00.000Z');
    await seedTi(t.ds, 'waiting_dag', 'manual__1', 'first', 'up_for_retry', {
      nextTryAt: new Date('2099-01-01T00:00:00Z'),
    });
    await seedTi(t.ds, 'waiting_dag', 'manual__1', 'second', null);
    const retrying = await get('/dags/waiting_dag/runs/manual__1/tasks/first');
    expect(retrying.text).toContain('Why is this task not running?');
    expect(retrying.text).toContain(
      '<b>Not In Retry Period</b>: task is in retry period until 2099-01-01T00:00:00.000Z',
    );
    const blocked = await get('/dags/waiting_dag/runs/manual__1/tasks/second');
    expect(blocked.text).toContain('<b>Trigger Rule</b>: all_success: waiting for 1 of 1 upstream task to finish');
    // A finished task instance has nothing to explain.
    const done = await get('/dags/hello_world/runs/manual__1/tasks/hello_task');
    expect(done.text).not.toContain('Why is this task not running?');
  });

  it('answers 404 pages for unknown DAGs, runs and tasks', async () => {
    for (const url of [
      '/dags/nope/grid',
      '/dags/hello_world/runs/nope/tasks/dummy_task',
      '/dags/hello_world/runs/manual__1/tasks/nope',
    ]) {
      const res = await get(url);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Not found');
    }
  });

  it('admin pages: variables and connections mask secrets; pools show usage bars; users are admin-only', async () => {
    await t.ds.getRepository(VariableEntity).save([
      { key: 'api_password', val: 'hunter2', description: null },
      { key: 'region', val: '<script>alert("var")</script>', description: null },
    ]);
    await t.ds.getRepository(ConnectionEntity).save({
      connId: 'pg',
      connType: 'postgres',
      host: 'db',
      login: 'me',
      password: 's3cret',
      port: 5432,
      schema: null,
      description: null,
      extra: JSON.stringify({ sslmode: 'require', api_key: 'k3y' }),
    });
    await t.ds
      .getRepository(UserEntity)
      .save({ username: '<b>bob</b>', passwordHash: 'x', role: 'viewer', createdAt: new Date() });
    await seedTi(t.ds, 'hello_world', 'manual__3', 'hello_task', 'queued');

    const vars = await get('/admin/variables', OP);
    expect(vars.status).toBe(200);
    expect(vars.text).not.toContain('hunter2');
    expectEscaped(vars.text, '<script>alert("var")</script>');
    const conns = await get('/admin/connections', OP);
    expect(conns.text).not.toContain('s3cret');
    expect(conns.text).not.toContain('k3y');
    expect(conns.text).toContain('sslmode');
    expect((await get('/admin/variables', VIEWER)).status).toBe(403);
    expect((await get('/admin/connections', VIEWER)).status).toBe(403);

    const pools = await get('/admin/pools', VIEWER);
    expect(pools.status).toBe(200);
    expect(pools.text).toContain('<svg class="usage"');
    expect(pools.text).toContain('1 running, 1 queued of 128');

    expect((await get('/admin/users', OP)).status).toBe(403);
    const users = await get('/admin/users', ADMIN);
    expect(users.status).toBe(200);
    expectEscaped(users.text, '<b>bob</b>');
  });

  it('the Datasets page lists datasets with linked producers and consumers, and recent updates, escaped', async () => {
    const evil = 's3://bucket/<b>x</b>';
    await runInTransaction(t.ds, async (m) => {
      await syncDagDatasetReferences(
        m,
        { dagId: 'hello_world', scheduleUris: [], outlets: [{ taskId: 'hello_task', uri: evil }] },
        new Date(),
      );
      await syncDagDatasetReferences(m, { dagId: 'consumer_dag', scheduleUris: [evil], outlets: [] }, new Date());
      await recordDatasetEvent(
        m,
        {
          uri: evil,
          extra: { rows: 2 },
          source: { dagId: 'hello_world', runId: 'manual__1', taskId: 'hello_task', mapIndex: -1 },
        },
        new Date('2026-03-01T00:00:00Z'),
      );
      await recordDatasetEvent(m, { uri: evil, extra: null, source: null }, new Date('2026-03-02T00:00:00Z'));
    });
    const res = await get('/datasets', VIEWER);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<a href="/datasets" class="active">Datasets</a>');
    expectEscaped(res.text, evil);
    expect(res.text).toContain('<a href="/dags/hello_world/grid">hello_world</a>.hello_task');
    expect(res.text).toContain('<a href="/dags/consumer_dag/grid">consumer_dag</a>');
    expect(res.text).toContain('<a href="/dags/hello_world/grid?run_id=manual__1">hello_world</a>.hello_task');
    expect(res.text).toContain('external (API / CLI)');
    expect(res.text).toContain('2026-03-02T00:00:00.000Z');
  });

  it('serves its static assets without login', async () => {
    const css = await request(t.app).get('/ui/static/ui.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.text).toContain('.state-success');
    const js = await request(t.app).get('/ui/static/live-grid.js');
    expect(js.status).toBe(200);
    expect(js.text).not.toContain('innerHTML');
    const outside = await request(t.app).get('/ui/static/..%2Fui-paths.ts');
    expect([403, 404]).toContain(outside.status);
    expect(outside.text).not.toContain('runtimeAsset');
  });
});
