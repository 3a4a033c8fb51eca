import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { ConnectionEntity } from '../../src/db/entities/connection.entity';
import { VariableEntity } from '../../src/db/entities/variable.entity';
import { LocalExecutor } from '../../src/executors/local-executor';
import { openMigratedTestDatabase, TEST_FERNET_KEY } from '../helpers/test-database';
import { makeTempHome, makeWorkload } from '../runner/fixtures';
import { EventRecorder } from './event-recorder';

jest.setTimeout(120_000);

/** The local executor's task processes read connections and variables from the database themselves. */
describe('connections and variables with the local executor', () => {
  const home = makeTempHome('dagctl-local-conns-');
  const dagFile = path.join(home.dags, 'local_conns.ts');
  fs.writeFileSync(
    dagFile,
    `
import { DAG, FunctionOperator } from 'dagctl';
const dag = new DAG('local_conns', { schedule: null });
new FunctionOperator({ taskId: 'read', dag, fn: async (ctx) => {
  const smtp = await ctx.connection('smtp');
  return [smtp.login, smtp.password, await ctx.variables.get('sender')].join(' ');
} });
export default dag;
`,
  );
  let db: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let executor: LocalExecutor;

  beforeAll(async () => {
    db = await openMigratedTestDatabase('sqlite');
    await db.dataSource.getRepository(ConnectionEntity).save({
      connId: 'smtp',
      connType: 'smtp',
      description: null,
      host: 'mail.example',
      schema: null,
      login: 'mailer',
      password: 'm41l',
      port: 25,
      extra: null,
    });
    await db.dataSource.getRepository(VariableEntity).save({ key: 'sender', val: 'noreply', description: null });
    const config = loadConfig(
      { DAGCTL_HOME: home.home, DAGCTL__DATABASE__URL: db.db.url, DAGCTL__CORE__FERNET_KEY: TEST_FERNET_KEY },
      home.home,
    );
    executor = LocalExecutor.fromConfig(config, { mode: 'fork' });
    await executor.start();
  });
  afterAll(async () => {
    await executor?.end();
    await db?.close();
    home.remove();
  });

  it('runs a task that reads a connection and a variable', async () => {
    const recorder = new EventRecorder(executor);
    executor.queueWorkload(makeWorkload(dagFile, 'local_conns', 'read'));
    expect(await recorder.endOf('read')).toMatchObject({
      outcome: {
        state: 'success',
        xcoms: { return_value: 'mailer *** noreply' /* the password is masked in the XCom */ },
      },
    });
  });
});
