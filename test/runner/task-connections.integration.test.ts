import { ConnectionEntity } from '../../src/db/entities/connection.entity';
import { VariableEntity } from '../../src/db/entities/variable.entity';
import { runTask } from '../../src/runner/run-task';
import { DatabaseVariableSource } from '../../src/runner/variable-source';
import { openMigratedTestDatabase } from '../helpers/test-database';
import { makeTempHome, makeWorkload, writeDagFile } from './fixtures';

describe('connections and variables in a task (real SQLite database)', () => {
  const home = makeTempHome('dagctl-conns-');
  const file = writeDagFile(
    home.dags,
    'uses_conns.ts',
    `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('uses_conns', { schedule: null });
new FunctionOperator({
  taskId: 'read',
  dag,
  fn: async (ctx) => {
    const conn = await ctx.connection('warehouse');
    return {
      host: conn.host, port: conn.port, login: conn.login, password: conn.password, schema: conn.schema,
      extra: conn.extra, uri: conn.getUri(), region: await ctx.variables.get('region'),
      limits: await ctx.variables.getJson('limits'), fallback: await ctx.variables.get('nope', 'dflt'),
    };
  },
});
new FunctionOperator({ taskId: 'unknown', dag, fn: async (ctx) => (await ctx.connection('nowhere')).host });
new FunctionOperator({ taskId: 'missing_var', dag, fn: (ctx) => ctx.variables.get('nope') });
new BashOperator({
  taskId: 'templated',
  dag,
  bashCommand: 'echo {{ conn.warehouse.host }}:{{ conn.warehouse.port }} {{ conn.warehouse.extra_dejson.sslmode }} ' +
    '{{ var.value.region }} {{ var.json.limits.rows }}',
});
new BashOperator({ taskId: 'templated_unknown', dag, bashCommand: 'echo {{ conn.nowhere.host }}' });
export default dag;`,
  );
  let db: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  const saved: Record<string, string | undefined> = {};
  const setEnv = (name: string, value: string | undefined): void => {
    if (!(name in saved)) saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  const run = (taskId: string) =>
    runTask(makeWorkload(file, 'uses_conns', taskId), {
      baseLogFolder: home.logs,
      logMaxBytes: 1e6,
      variables: new DatabaseVariableSource(async () => db.dataSource),
    });

  beforeAll(async () => {
    db = await openMigratedTestDatabase('sqlite');
    await db.dataSource.getRepository(ConnectionEntity).save({
      connId: 'warehouse',
      connType: 'postgres',
      description: null,
      host: 'db.internal',
      schema: 'sales',
      login: 'etl',
      password: 'p@ss:word',
      port: 5432,
      extra: '{"sslmode":"require"}',
    });
    await db.dataSource.getRepository(VariableEntity).save([
      { key: 'region', val: 'eu-west', description: null },
      { key: 'limits', val: '{"rows":10}', description: null },
    ]);
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) setEnv(name, value);
  });
  afterAll(async () => {
    await db.close();
    home.remove();
  });

  it('reads a connection and variables from the database', async () => {
    const outcome = await run('read');
    expect(outcome.state).toBe('success');
    expect(outcome.xcoms?.return_value).toEqual({
      host: 'db.internal',
      port: 5432,
      login: 'etl',
      // A connection password is a secret: masked in the XCom (README "Masking secrets").
      password: '***',
      schema: 'sales',
      extra: { sslmode: 'require' },
      uri: 'postgres://etl:***@db.internal:5432/sales?sslmode=require',
      region: 'eu-west',
      limits: { rows: 10 },
      fallback: 'dflt',
    });
  });

  it('lets DAGCTL_CONN_<ID> (URI or JSON) and DAGCTL_VAR_<KEY> win over the database', async () => {
    setEnv('DAGCTL_CONN_WAREHOUSE', 'postgres://env:envpw@env.host:6543/envdb');
    setEnv('DAGCTL_VAR_REGION', 'us-east');
    expect((await run('read')).xcoms?.return_value).toMatchObject({
      host: 'env.host',
      port: 6543,
      login: 'env',
      password: '***',
      region: 'us-east',
      limits: { rows: 10 },
    });
    setEnv(
      'DAGCTL_CONN_WAREHOUSE',
      '{"conn_type": "postgres", "host": "json.host", "port": 7000, "extra": {"sslmode": "off"}}',
    );
    setEnv('DAGCTL_VAR_LIMITS', '{"rows": 3}');
    expect((await run('templated')).xcoms?.return_value).toBe('json.host:7000 off us-east 3');
  });

  it('renders conn and var in templates', async () => {
    expect(await run('templated')).toMatchObject({
      state: 'success',
      xcoms: { return_value: 'db.internal:5432 require eu-west 10' },
    });
  });

  it('fails the task with a clear message for an unknown connection or variable', async () => {
    const expected =
      "connection 'nowhere' is not defined (neither DAGCTL_CONN_NOWHERE nor the metadata database has it)";
    expect(await run('unknown')).toMatchObject({ state: 'failed', reason: expected });
    expect(await run('templated_unknown')).toMatchObject({ state: 'failed', reason: expected });
    expect(await run('missing_var')).toMatchObject({ state: 'failed', reason: "variable 'nope' does not exist" });
  });

  it('names the variable, not its value, when DAGCTL_CONN_<ID> does not parse', async () => {
    setEnv('DAGCTL_CONN_WAREHOUSE', 'not a uri with secret-pw');
    const outcome = await run('read');
    expect(outcome.state).toBe('failed');
    expect(outcome.reason).toMatch(/DAGCTL_CONN_WAREHOUSE: invalid connection URI/);
    expect(outcome.reason).not.toContain('secret-pw');
  });
});
