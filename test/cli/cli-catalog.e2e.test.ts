import fs from 'node:fs';
import path from 'node:path';
import { DATABASE_KINDS } from '../helpers/test-database';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

describe.each(DATABASE_KINDS)('dagctl variables, connections, pools, users on %s (built binary)', (kind) => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome(kind);
    await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  it('variables: set/get/list/delete and an export → import round trip', async () => {
    await cli.ok(['variables', 'set', 'greeting', 'hello world']);
    await cli.ok(['variables', 'set', 'settings', '{"retries": 3, "tags": ["a"]}', '--json']);
    expect(await cli.ok(['variables', 'get', 'greeting'])).toBe('hello world\n');
    expect(await cli.json(['variables', 'get', 'settings', '--json'])).toEqual({
      key: 'settings',
      value: { retries: 3, tags: ['a'] },
    });
    expect(await cli.ok(['variables', 'get', 'missing', '-d', 'fallback'])).toBe('fallback\n');
    expectCliError(await cli.run(['variables', 'get', 'missing']), 1, /^error: variable 'missing' not found$/);
    expectCliError(await cli.run(['variables', 'set', 'x', '{bad', '--json']), 2, /invalid JSON value/);

    const file = path.join(cli.home, 'vars.json');
    expect(await cli.ok(['variables', 'export', file])).toMatch(/Exported 2 variable/);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(exported).toEqual({ greeting: 'hello world', settings: { retries: 3, tags: ['a'] } });
    await cli.ok(['variables', 'delete', 'greeting']);
    await cli.ok(['variables', 'delete', 'settings']);
    expect(await cli.json(['variables', 'list'])).toEqual([]);
    expect(await cli.ok(['variables', 'import', file])).toMatch(/Imported 2 variable\(s\) \(2 new, 0 updated\)/);
    expect(JSON.parse(await cli.ok(['variables', 'export', '-']))).toEqual(exported);
    fs.writeFileSync(file, '{oops');
    expectCliError(await cli.run(['variables', 'import', file]), 2, /is not valid JSON/);
    expectCliError(await cli.run(['variables', 'import', path.join(cli.home, 'none.json')]), 1, /cannot read/);
  });

  it('connections: add (URI and parts), get prints a URI, list hides passwords, delete', async () => {
    await cli.ok(['connections', 'add', 'warehouse', '--conn-uri', 'postgres://etl:s3cr3t@db.example:5432/dw']);
    await cli.ok([
      'connections',
      'add',
      'api',
      '--conn-type',
      'http',
      '--conn-host',
      'api.example',
      '--conn-password',
      'tok3n',
      '--conn-extra',
      '{"timeout":"30"}',
    ]);
    expect(await cli.ok(['connections', 'get', 'warehouse'])).toBe('postgres://etl:s3cr3t@db.example:5432/dw\n');
    expect(await cli.json(['connections', 'get', 'api'])).toMatchObject({
      conn_id: 'api',
      conn_type: 'http',
      host: 'api.example',
      uri: 'http://:tok3n@api.example/?timeout=30',
    });
    const listed = await cli.run(['connections', 'list', '-o', 'json']);
    expect(JSON.parse(listed.stdout).map((c: { conn_id: string }) => c.conn_id)).toEqual(['api', 'warehouse']);
    expect(listed.stdout).not.toMatch(/s3cr3t|tok3n/);
    expect((await cli.ok(['connections', 'list'])).toString()).not.toMatch(/s3cr3t|tok3n/);
    expectCliError(
      await cli.run(['connections', 'add', 'warehouse', '--conn-type', 'http']),
      1,
      /connection 'warehouse' already exists/,
    );
    expectCliError(await cli.run(['connections', 'add', 'x']), 2, /give --conn-uri, --conn-json or --conn-type/);
    expectCliError(await cli.run(['connections', 'add', 'x', '--conn-uri', 'nonsense']), 2, /invalid connection URI/);
    await cli.ok(['connections', 'delete', 'api']);
    expectCliError(await cli.run(['connections', 'get', 'api']), 1, /connection 'api' not found/);
  });

  it('pools: set/get/list/delete; default_pool cannot be deleted', async () => {
    expect(await cli.ok(['pools', 'set', 'gpu', '2', 'GPU boxes'])).toBe('Pool gpu set to 2 slot(s)\n');
    expect(await cli.json(['pools', 'get', 'gpu'])).toEqual({
      pool: 'gpu',
      slots: 2,
      description: 'GPU boxes',
      occupied_slots: 0,
      running_slots: 0,
      queued_slots: 0,
      open_slots: 2,
    });
    expect((await cli.json<Array<{ pool: string }>>(['pools', 'list'])).map((p) => p.pool)).toEqual([
      'default_pool',
      'gpu',
    ]);
    expectCliError(await cli.run(['pools', 'set', 'gpu', 'lots']), 2, /invalid slots 'lots'/);
    expectCliError(await cli.run(['pools', 'delete', 'default_pool']), 2, /default_pool cannot be deleted/);
    await cli.ok(['pools', 'delete', 'gpu']);
    expectCliError(await cli.run(['pools', 'get', 'gpu']), 1, /pool 'gpu' not found/);
  });

  it('users: create/list/delete with role checks', async () => {
    expect(await cli.ok(['users', 'create', '-u', 'ada', '-p', 'pw', '-r', 'admin'])).toBe(
      'User ada created with role admin\n',
    );
    // initdb created the 'admin' login of a fresh install; ada comes next to it.
    expect(await cli.json(['users', 'list'])).toEqual([
      expect.objectContaining({ username: 'ada', role: 'admin', last_login: null }),
      expect.objectContaining({ username: 'admin', role: 'admin' }),
    ]);
    expectCliError(await cli.run(['users', 'create', '-u', 'bob', '-p', 'pw', '-r', 'god']), 2, /invalid role 'god'/);
    expectCliError(
      await cli.run(['users', 'create', '-u', 'ada', '-p', 'pw', '-r', 'op']),
      1,
      /user 'ada' already exists/,
    );
    expectCliError(await cli.run(['users', 'create', '-u', 'bob']), 2, /required option/);
    await cli.ok(['users', 'delete', '-u', 'ada']);
    expect(await cli.json(['users', 'list'])).toEqual([expect.objectContaining({ username: 'admin' })]);
  });
});
