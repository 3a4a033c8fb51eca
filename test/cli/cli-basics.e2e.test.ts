import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError, runDagctl } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

describe('dagctl basics (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
  });
  afterAll(async () => cli.close());

  it('version, and bad arguments exit 2 with one line', async () => {
    expect((await cli.ok(['version'])).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await cli.json(['version'])).toEqual({ version: expect.any(String), node: process.version });
    expectCliError(await cli.run(['bogus']), 2, /unknown command 'bogus'/);
    expectCliError(await cli.run(['dags', 'list', '--bogus']), 2, /unknown option '--bogus'/);
    expectCliError(await cli.run(['dags', 'list', '-o', 'xml']), 2, /'xml' is invalid/);
    expectCliError(await cli.run(['trigger']), 2, /missing required argument 'dag_id'/);
    expectCliError(await cli.run(['scheduler', '-n', 'many']), 2, /invalid --num-loops 'many'/);
  });

  it('commands needing the schema fail clearly before initdb; initdb is idempotent', async () => {
    expectCliError(await cli.run(['variables', 'list']), 1, /not initialized .* run 'dagctl initdb'/);
    expectCliError(await cli.run(['db', 'check']), 1, /pending migration/);
    const first = await cli.ok(['initdb']);
    expect(first).toMatch(/Initialized the metadata database .* applied \d+ migration/);
    // A fresh install gets an admin login shown once, also kept in a file only the owner can read.
    const password = /Created web user 'admin' with password (\S+) \(also in (\S+),/.exec(first);
    expect(password).not.toBeNull();
    expect(fs.readFileSync(password![2], 'utf8').trim()).toBe(password![1]);
    expect(fs.statSync(password![2]).mode & 0o777).toBe(0o600);
    const again = await cli.ok(['initdb']);
    expect(again).toMatch(/is up to date/);
    expect(again).not.toMatch(/password/);
    expect(await cli.ok(['db', 'migrate'])).toMatch(/is up to date/);
    expect(await cli.json(['db', 'check'])).toMatchObject({ reachable: true, pending: [] });
  });

  it('db reset needs --yes and then leaves an empty, migrated database', async () => {
    await cli.ok(['initdb']);
    await cli.ok(['variables', 'set', 'k', 'v']);
    expectCliError(await cli.run(['db', 'reset']), 2, /pass --yes/);
    expect(await cli.ok(['variables', 'get', 'k'])).toBe('v\n');
    expect(await cli.ok(['db', 'reset', '--yes'])).toMatch(/Reset the metadata database/);
    expect(await cli.json(['variables', 'list'])).toEqual([]);
    expect(await cli.json(['pools', 'list'])).toEqual([expect.objectContaining({ pool: 'default_pool', slots: 128 })]);
  });

  it('initdb creates admin with DAGCTL_ADMIN_PASSWORD on a fresh database, neither shown nor kept', async () => {
    await cli.ok(['db', 'reset', '--yes']); // no users left: the next initdb is a fresh install
    const file = path.join(cli.home, 'standalone_admin_password.txt');
    fs.rmSync(file, { force: true });
    const result = await cli.run(['initdb'], { env: { DAGCTL_ADMIN_PASSWORD: 'given-S3cret' } });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain("Created web user 'admin' with the password in DAGCTL_ADMIN_PASSWORD");
    expect(result.stdout).not.toContain('given-S3cret');
    expect(fs.existsSync(file)).toBe(false);
    expect(await cli.json(['users', 'list'])).toEqual([expect.objectContaining({ username: 'admin', role: 'admin' })]);
    const again = await cli.run(['initdb'], { env: { DAGCTL_ADMIN_PASSWORD: 'another' } });
    expect(again.stdout).not.toMatch(/Created web user/);
  });

  it('an unreachable database is one line, exit 1; --verbose adds the stack', async () => {
    const env = { DAGCTL__DATABASE__URL: 'postgres://postgres@127.0.0.1:1/nothing' };
    expectCliError(
      await cli.run(['dags', 'list'], { env }),
      1,
      /^error: cannot open database postgres:\/\/postgres@127\.0\.0\.1:1\/nothing/,
    );
    const verbose = await cli.run(['dags', 'list', '--verbose'], { env });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });

  it('config list masks secrets; get-value prints one value or fails with exit 1', async () => {
    const env = { DAGCTL__WEBSERVER__SECRET_KEY: 'topsecret', DAGCTL__CORE__PARALLELISM: '7' };
    const rows = JSON.parse((await cli.run(['config', 'list', '-o', 'json'], { env })).stdout) as Array<{
      section: string;
      key: string;
      value: unknown;
    }>;
    expect(rows).toContainEqual({ section: 'core', key: 'parallelism', value: 7 });
    expect(rows.find((r) => r.key === 'secret_key')?.value).toBe('***');
    const table = await cli.run(['config', 'list'], { env });
    expect(table.stdout).toContain('[core]');
    expect(table.stdout).not.toContain('topsecret');
    expect((await cli.run(['config', 'get-value', 'core', 'parallelism'], { env })).stdout).toBe('7\n');
    expectCliError(await cli.run(['config', 'get-value', 'core', 'nope']), 1, /config option 'core.nope' not found/);
  });

  it('config list shows resolved durations (bare numbers are seconds) and where dagctl differs', async () => {
    const env = { DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT: '5', DAGCTL__SCHEDULER__IDLE_SLEEP: '250ms' };
    const rows = JSON.parse((await cli.run(['config', 'list', '-o', 'json'], { env })).stdout) as Array<{
      key: string;
      value: unknown;
      note?: string;
    }>;
    expect(rows.find((r) => r.key === 'dagbag_import_timeout')?.value).toBe('5s');
    expect(rows.find((r) => r.key === 'idle_sleep')?.value).toBe('250ms');
    expect(rows.find((r) => r.key === 'dags_are_paused_at_creation')?.note).toMatch(/Airflow's default is true/);
    const table = (await cli.run(['config', 'list'], { env })).stdout;
    expect(table).toMatch(/^dags_are_paused_at_creation = false {2}# Airflow's default is true/m);
    expect(table).toMatch(/^zombie_threshold = 5m$/m);
    expect((await cli.run(['config', 'get-value', 'core', 'dagbag_import_timeout'], { env })).stdout).toBe('5s\n');
    expectCliError(
      await cli.run(['config', 'list'], { env: { DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT: 'soon' } }),
      1,
      new RegExp(
        '^error: config core\\.dagbag_import_timeout ' +
          '\\(environment variable DAGCTL__CORE__DAGBAG_IMPORT_TIMEOUT\\): expected a duration',
      ),
    );
  });

  it('worker refuses to start unless the executor is bullmq', async () => {
    expectCliError(
      await runDagctl(['worker'], { ...cli.env, DAGCTL__CORE__EXECUTOR: 'local' }),
      1,
      /needs core.executor = bullmq/,
    );
  });
});
