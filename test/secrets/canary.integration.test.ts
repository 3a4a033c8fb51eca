import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { execSql } from '../../src/db/sql';
import { createWebApp } from '../../src/web/app';
import { ApiTestApp, createApiTestApp, PASSWORDS, ROLES, type Role } from '../api/helpers/api-test-app';
import { CliResult, runDagctl } from '../cli/helpers/dagctl-cli';
import { DATABASE_KINDS, TEST_FERNET_KEY } from '../helpers/test-database';

jest.setTimeout(300_000);

/**
 * Issue 12's canary: a connection password, a sensitive variable and a `ctx.maskSecret` value,
 * planted in tasks that print, template and return them, appear nowhere in clear — task log
 * files, rendered fields, XComs, CLI output (but `variables get` / `connections get`), API
 * answers and UI pages for every role, and a dump of the whole database.
 */
const CANARY_PW = 'canaryPw8c1d';
const CANARY_VAR = 'canaryVar4f2a';
const CANARY_MASK = 'canaryMask9e3b';
/** Every form a canary may take in output (as is, URL-encoded: the same for these). */
const CANARIES = [CANARY_PW, CANARY_VAR, CANARY_MASK];

// The maskSecret value is built at run time: the DAG's source (stored and shown as code) must not hold it.
const DAG_FILE = `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const maskedValue = ['${CANARY_MASK.slice(0, 6)}', '${CANARY_MASK.slice(6)}'].join('');
const dag = new DAG('canary', { schedule: null });
const prints = new FunctionOperator({
  taskId: 'prints',
  dag,
  fn: async (ctx) => {
    const conn = await ctx.connection('warehouse');
    const secret = await ctx.variables.get('api_secret');
    ctx.maskSecret(maskedValue);
    console.log('password', conn.password, 'variable', secret, 'masked', maskedValue);
    ctx.log.info('uri %s json %s', conn.getUri(), JSON.stringify({ secret }));
    ctx.xcomPush('pushed', { secret, masked: maskedValue });
    return { pw: conn.password, v: secret, m: maskedValue };
  },
});
const templated = new BashOperator({
  taskId: 'templated',
  dag,
  bashCommand: 'echo "{{ conn.warehouse.password }} {{ var.value.api_secret }}"',
});
prints.then(templated);
export default dag;
`;

function expectNoCanary(where: string, text: string): void {
  for (const canary of CANARIES) {
    if (text.includes(canary)) throw new Error(`${where} shows ${canary} in clear:\n${text.slice(0, 2000)}`);
  }
}

function dump(t: ApiTestApp, url: string): string {
  if (t.kind === 'sqlite') return execFileSync('sqlite3', [new URL(url).pathname, '.dump'], { encoding: 'utf8' });
  return execFileSync('pg_dump', ['--data-only', `--dbname=${url}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

describe.each(DATABASE_KINDS)('the secrets canary on %s (built CLI, web app)', (kind) => {
  let t: ApiTestApp;
  let ui: ReturnType<typeof createWebApp>;
  let databaseUrl: string;
  let runId: string;
  const cliOutputs: Array<[string, CliResult]> = [];

  const env = (): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DAGCTL'))),
    DAGCTL_HOME: t.home,
    DAGCTL__DATABASE__URL: databaseUrl,
    DAGCTL__CORE__FERNET_KEY: TEST_FERNET_KEY,
    DAGCTL__SCHEDULER__PARSING_PROCESSES: '1',
  });
  const cli = async (args: string[], record = true): Promise<CliResult> => {
    const result = await runDagctl(args, env());
    if (record) cliOutputs.push([`dagctl ${args.join(' ')}`, result]);
    return result;
  };

  beforeAll(async () => {
    t = await createApiTestApp(kind, { env: { DAGCTL__CORE__FERNET_KEY: TEST_FERNET_KEY } });
    ui = createWebApp(t.ctx, { ui: true });
    databaseUrl = t.ctx.config.database.url;
    fs.mkdirSync(path.join(t.home, 'dags'), { recursive: true });
    fs.writeFileSync(path.join(t.home, 'dags', 'canary.ts'), DAG_FILE);
    // Planting the secrets: the only commands allowed to show them are get (checked below).
    for (const args of [
      ['variables', 'set', 'api_secret', CANARY_VAR],
      ['connections', 'add', 'warehouse', '--conn-uri', `postgres://etl:${CANARY_PW}@db.example:5432/dw`],
    ]) {
      const planted = await cli(args, false);
      expect(planted.code).toBe(0);
    }
    const ran = await cli(['dags', 'test', 'canary']);
    expect(ran).toMatchObject({ code: 0 });
    const runs = await execSql<{ run_id: string }>(t.ds, "SELECT run_id FROM dag_run WHERE dag_id = 'canary'");
    runId = runs.records[0].run_id;
  });
  afterAll(async () => t?.close());

  it('the tasks saw the secrets in clear (the canary is real)', async () => {
    expect((await cli(['variables', 'get', 'api_secret'], false)).stdout).toBe(`${CANARY_VAR}\n`);
    expect((await cli(['connections', 'get', 'warehouse'], false)).stdout).toContain(CANARY_PW);
    const ti = await execSql<{ task_id: string; state: string }>(
      t.ds,
      "SELECT task_id, state FROM task_instance WHERE dag_id = 'canary' ORDER BY task_id",
    );
    expect(ti.records).toEqual([
      { task_id: 'prints', state: 'success' },
      { task_id: 'templated', state: 'success' },
    ]);
  });

  it('task log files show *** instead', () => {
    const logs = path.join(t.home, 'logs', 'dag_id=canary');
    const files = fs.readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log'));
    expect(files).toHaveLength(2);
    for (const file of files) {
      const text = fs.readFileSync(path.join(logs, file), 'utf8');
      expectNoCanary(file, text);
      expect(text).toContain('***');
    }
  });

  it('CLI output (all but get) shows *** instead', async () => {
    await cli(['tasks', 'render', 'canary', 'templated', runId]);
    await cli(['tasks', 'render', 'canary', 'templated', runId, '-o', 'json']);
    await cli(['tasks', 'states-for-dag-run', 'canary', runId, '-o', 'json']);
    await cli(['dags', 'list-runs', '-d', 'canary', '-o', 'json']);
    await cli(['variables', 'list', '-o', 'json']);
    await cli(['connections', 'list', '-o', 'json']);
    await cli(['tasks', 'test', 'canary', 'prints']);
    for (const [command, result] of cliOutputs) {
      expectNoCanary(command, result.stdout + result.stderr);
      // A command that failed printed nothing to check (list-runs once lacked its -d).
      expect({ command, code: result.code }).toEqual({ command, code: 0 });
    }
    expect(cliOutputs.find(([c]) => c === `dagctl tasks render canary templated ${runId}`)?.[1].stdout).toContain(
      'echo "*** ***"',
    );
  });

  const apiPaths = (): string[] => {
    const run = `/api/v1/dags/canary/dagRuns/${encodeURIComponent(runId)}`;
    const perTask = ['prints', 'templated'].flatMap((task) => [
      `${run}/taskInstances/${task}`,
      `${run}/taskInstances/${task}/logs/1`,
      `${run}/taskInstances/${task}/logs/1?full_content=true`,
      `${run}/taskInstances/${task}/xcomEntries`,
      `${run}/taskInstances/${task}/xcomEntries/return_value`,
      `${run}/taskInstances/${task}/xcomEntries/return_value?deserialize=true`,
      `${run}/taskInstances/${task}/xcomEntries/pushed?deserialize=true`,
    ]);
    return [
      '/api/v1/dags/canary/dagRuns',
      run,
      `${run}/taskInstances`,
      ...perTask,
      '/api/v1/variables',
      '/api/v1/connections',
      '/api/v1/connections/warehouse',
      '/api/v1/eventLogs',
      '/api/v1/config',
    ];
  };

  it.each(ROLES)('API answers to %s show *** instead', async (role: Role) => {
    for (const url of apiPaths()) {
      const res = await request(t.app).get(url).set('Authorization', t.basic(role));
      expect([200, 403, 404]).toContain(res.status);
      expectNoCanary(`${role} GET ${url}`, res.text);
    }
    const log = await request(t.app)
      .get(`/api/v1/dags/canary/dagRuns/${encodeURIComponent(runId)}/taskInstances/prints/logs/1`)
      .set('Authorization', t.basic(role))
      .set('Accept', 'text/plain');
    expect(log.text).toContain('password *** variable *** masked ***');
    const rendered = await request(t.app)
      .get(`/api/v1/dags/canary/dagRuns/${encodeURIComponent(runId)}/taskInstances/templated`)
      .set('Authorization', t.basic(role));
    expect(JSON.stringify(rendered.body)).toContain('echo \\"*** ***\\"');
    const single = await request(t.app).get('/api/v1/variables/api_secret').set('Authorization', t.basic(role));
    if (role === 'viewer') expectNoCanary('viewer GET /variables/api_secret', single.text);
    else expect(single.body.value).toBe(CANARY_VAR);
  });

  it.each(ROLES)('UI pages for %s show *** instead', async (role: Role) => {
    const login = await request(ui).post('/login').send({ username: role, password: PASSWORDS[role] }).expect(200);
    const cookies = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const run = encodeURIComponent(runId);
    const pages = [
      '/',
      '/dags/canary/grid',
      `/dags/canary/grid?run_id=${run}`,
      `/dags/canary/runs/${run}/tasks/prints`,
      `/dags/canary/runs/${run}/tasks/templated`,
      `/ui/logs?dag_id=canary&run_id=${run}&task_id=prints&try_number=1`,
      `/ui/logs?dag_id=canary&run_id=${run}&task_id=templated&try_number=1`,
      '/dags/canary/details',
      '/dags/canary/code',
      '/admin/variables',
      '/admin/connections',
    ];
    for (const page of pages) {
      const res = await request(ui).get(page).set('Cookie', cookies);
      expect([200, 403]).toContain(res.status);
      expectNoCanary(`${role} UI ${page}`, res.text);
    }
    // The pages do show the log and the rendered field, masked.
    const task = await request(ui).get(`/dags/canary/runs/${run}/tasks/prints`).set('Cookie', cookies).expect(200);
    expect(task.text).toContain('password *** variable *** masked ***');
  });

  it('a dump of the whole database shows none of them', () => {
    const text = dump(t, databaseUrl);
    expect(text).toContain('db.example');
    expectNoCanary(`${kind} dump`, text);
  });
});
