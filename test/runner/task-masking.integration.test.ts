import fs from 'node:fs';
import { ConnectionEntity } from '../../src/db/entities/connection.entity';
import { VariableEntity } from '../../src/db/entities/variable.entity';
import { runTaskTry } from '../../src/runner/run-task';
import { DatabaseVariableSource } from '../../src/runner/variable-source';
import { openMigratedTestDatabase } from '../helpers/test-database';
import { makeTempHome, makeWorkload, writeDagFile } from './fixtures';

const PASSWORD = 'conn-pw-Zq81/x y';
const VARIABLE = 'var-secret-7Hk2';
const MASKED = 'masked-by-ctx-Pq44';
const EXTRA_KEY = 'extra-key-Wm55';
const CORP = 'corp-word-Vv01';

describe('secrets masked in a try: log, rendered fields, XCom, outcome (real SQLite database)', () => {
  const home = makeTempHome('dagctl-mask-');
  const file = writeDagFile(
    home.dags,
    'masking.ts',
    `
import { DAG, BashOperator, FunctionOperator } from 'dagctl';
const dag = new DAG('masking', { schedule: null });
new FunctionOperator({
  taskId: 'prints',
  dag,
  fn: async (ctx) => {
    const conn = await ctx.connection('warehouse');
    const secret = await ctx.variables.get('api_secret');
    ctx.maskSecret(${JSON.stringify(MASKED)});
    // A secret split across two writes, then its JSON and URL forms, then ctx.log.
    process.stdout.write('split: ' + conn.password.slice(0, 5));
    process.stdout.write(conn.password.slice(5) + ' end\\n');
    console.log(JSON.stringify({ pw: conn.password, v: secret }));
    console.log('url:', conn.getUri(), encodeURIComponent(${JSON.stringify(MASKED)}));
    ctx.log.info('extra %s and %s and %s', conn.extra.api_key, conn.extra.corp_word, ${JSON.stringify(MASKED)});
    console.log('multi\\nline ' + secret);
    return { pw: conn.password, v: secret, m: ${JSON.stringify(MASKED)}, uri: conn.getUri() };
  },
});
new BashOperator({
  taskId: 'templated',
  dag,
  bashCommand: 'echo "{{ conn.warehouse.password }} {{ var.value.api_secret }}"',
});
new FunctionOperator({
  taskId: 'fails',
  dag,
  fn: async (ctx) => {
    throw new Error('cannot log in with ' + (await ctx.connection('warehouse')).password);
  },
});
export default dag;`,
  );
  let db: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  const run = (taskId: string) =>
    runTaskTry(makeWorkload(file, 'masking', taskId), {
      baseLogFolder: home.logs,
      logMaxBytes: 1e6,
      variables: new DatabaseVariableSource(async () => db.dataSource),
      sensitiveWords: ['corp_word'],
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
      password: PASSWORD,
      port: 5432,
      extra: JSON.stringify({ api_key: EXTRA_KEY, corp_word: CORP, region: 'eu-west' }),
    });
    await db.dataSource.getRepository(VariableEntity).save({ key: 'api_secret', val: VARIABLE, description: null });
  });
  afterAll(async () => {
    await db.close();
    home.remove();
  });

  const secrets = [PASSWORD, VARIABLE, MASKED, EXTRA_KEY, CORP, encodeURIComponent(PASSWORD)];
  const expectNoSecret = (text: string): void => {
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('masks what a task prints, logs and returns', async () => {
    const { outcome, logPath } = await run('prints');
    expect(outcome.state).toBe('success');
    const log = fs.readFileSync(logPath, 'utf8');
    expectNoSecret(log);
    expect(log).toContain('split: *** end');
    expect(log).toContain('{"pw":"***","v":"***"}');
    expect(log).toContain('url: postgres://etl:***@db.internal:5432/sales');
    expect(log).toContain('extra *** and *** and ***');
    expect(log).toContain('line ***');
    expect(outcome.xcoms?.return_value).toEqual({
      pw: '***',
      v: '***',
      m: '***',
      uri: expect.stringContaining('postgres://etl:***@db.internal') as unknown,
    });
    expectNoSecret(JSON.stringify(outcome));
  });

  it('masks rendered fields before they leave the try', async () => {
    const { outcome, logPath } = await run('templated');
    expect(outcome.state).toBe('success');
    expect(outcome.renderedFields?.bashCommand).toBe('echo "*** ***"');
    expect(outcome.xcoms?.return_value).toBe('*** ***');
    expectNoSecret(fs.readFileSync(logPath, 'utf8'));
  });

  it('masks the failure reason and the stack in the log', async () => {
    const { outcome, logPath } = await run('fails');
    expect(outcome).toMatchObject({ state: 'failed', reason: 'cannot log in with ***' });
    const log = fs.readFileSync(logPath, 'utf8');
    expect(log).toContain('cannot log in with ***');
    expectNoSecret(log);
  });
});
