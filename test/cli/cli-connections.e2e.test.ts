import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

describe('dagctl connections (URI and JSON forms, import/export, env) and variables (env, masking)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  it('adds a connection from JSON and round-trips URI and JSON forms through export and import', async () => {
    const json = {
      conn_type: 'postgres',
      host: 'db.example',
      login: 'etl',
      password: 'p@ss/word',
      schema: 'dw',
      port: 5432,
      extra: { sslmode: 'require', options: { timeout: 5 } },
      description: 'the warehouse',
    };
    await cli.ok(['connections', 'add', 'warehouse', '--conn-json', JSON.stringify(json)]);
    const uri = await cli.ok(['connections', 'get', 'warehouse']);
    await cli.ok(['connections', 'add', 'copy', '--conn-uri', uri.trim()]);
    expect(await cli.ok(['connections', 'get', 'copy'])).toBe(uri);
    expect(await cli.json(['connections', 'get', 'warehouse'])).toMatchObject({
      conn_type: 'postgres',
      description: 'the warehouse',
      source: 'database',
    });

    const file = path.join(cli.home, 'conns.json');
    expect(await cli.ok(['connections', 'export', file])).toMatch(/Exported 2 connection\(s\)/);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(exported.warehouse).toEqual(json);
    expect(exported.copy).toEqual({ ...json, description: null });

    await cli.ok(['connections', 'delete', 'warehouse']);
    expect(await cli.ok(['connections', 'import', file])).toMatch(
      /Imported 1 connection\(s\) \(1 new, 0 replaced\); skipped 1 that already exist \(copy;/,
    );
    expect(JSON.parse(await cli.ok(['connections', 'export', '-']))).toEqual(exported);
    expect(await cli.ok(['connections', 'import', file, '--overwrite'])).toMatch(
      /Imported 2 connection\(s\) \(0 new, 2/,
    );

    fs.writeFileSync(file, JSON.stringify({ good: { conn_type: 'http' }, bad: { conn_type: 'http', hots: 'x' } }));
    expectCliError(await cli.run(['connections', 'import', file]), 2, /connection 'bad': .*unknown field 'hots'/);
    expectCliError(await cli.run(['connections', 'get', 'good']), 1, /connection 'good' not found/);
    // A host longer than its column is found before anything is stored, too.
    fs.writeFileSync(
      file,
      JSON.stringify({ good: { conn_type: 'http' }, long: { conn_type: 'http', host: 'h'.repeat(501) } }),
    );
    expectCliError(
      await cli.run(['connections', 'import', file]),
      2,
      /connection 'long': field 'host' is 501 characters long: at most 500/,
    );
    expectCliError(await cli.run(['connections', 'get', 'good']), 1, /connection 'good' not found/);
  });

  it('refuses a URI or JSON that does not parse in one line, without the secret', async () => {
    const bad = await cli.run(['connections', 'add', 'x', '--conn-uri', 'postgres://u:hunter2@host:notaport/db']);
    expectCliError(
      bad,
      2,
      /^error: invalid connection URI: expected type:\/\/login:password@host:port\/schema\?extra$/,
    );
    expect(bad.stderr).not.toContain('hunter2');
    expectCliError(
      await cli.run(['connections', 'add', 'x', '--conn-json', '{"host": "h"}']),
      2,
      /'conn_type' is required/,
    );
    expectCliError(
      await cli.run(['connections', 'add', 'x', '--conn-json', '{}', '--conn-uri', 'http://h']),
      2,
      /give --conn-uri or --conn-json, not both/,
    );
  });

  it('lets DAGCTL_CONN_<ID> and DAGCTL_VAR_<KEY> win over the database', async () => {
    await cli.ok(['connections', 'add', 'api', '--conn-uri', 'http://db-user:db-pw@db.host/']);
    await cli.ok(['variables', 'set', 'region', 'from-db']);
    const env = {
      DAGCTL_CONN_API: '{"conn_type": "http", "host": "env.host", "port": 81}',
      DAGCTL_VAR_REGION: 'from-env',
    };
    expect((await cli.run(['connections', 'get', 'api'], { env })).stdout).toBe('http://env.host:81\n');
    expect((await cli.run(['connections', 'get', 'api', '-o', 'json'], { env })).stdout).toMatch(
      /"source": ?"DAGCTL_CONN_API"/,
    );
    expect((await cli.run(['variables', 'get', 'region'], { env })).stdout).toBe('from-env\n');
    expect(await cli.ok(['variables', 'get', 'region'])).toBe('from-db\n');
  });

  it('masks the values of sensitive variables in list, with descriptions, and shows them with get', async () => {
    await cli.ok(['variables', 'set', 'service_api_key', 'k-123', '--description', 'the key of the service']);
    await cli.ok(['variables', 'set', 'db_password', 'pw-456']);
    await cli.ok(['variables', 'set', 'plain', 'visible']);
    const listed = await cli.json<Array<{ key: string; value: string; description: string | null }>>([
      'variables',
      'list',
    ]);
    expect(listed).toEqual(
      expect.arrayContaining([
        { key: 'service_api_key', value: '***', description: 'the key of the service' },
        { key: 'db_password', value: '***', description: null },
        { key: 'plain', value: 'visible', description: null },
      ]),
    );
    expect(await cli.ok(['variables', 'list'])).not.toMatch(/k-123|pw-456/);
    expect(await cli.ok(['variables', 'get', 'service_api_key'])).toBe('k-123\n');
    const extra = await cli.run(['variables', 'list', '-o', 'json'], {
      env: { DAGCTL__CORE__SENSITIVE_VAR_CONN_NAMES: 'plain' },
    });
    expect(extra.stdout).not.toContain('visible');
  });
});
