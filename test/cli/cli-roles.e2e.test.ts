import fs from 'node:fs';
import path from 'node:path';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

describe('dagctl roles (built binary)', () => {
  let cli: CliHome;
  beforeAll(async () => {
    cli = await createCliHome('sqlite');
    await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  it('creates roles, grants and revokes permissions, lists them and gives one to a user', async () => {
    expect(await cli.ok(['roles', 'create', 'Readers', 'Auditors'])).toBe(
      'Role Readers created\nRole Auditors created\n',
    );
    expect(await cli.ok(['roles', 'create', 'readers'])).toBe('Role readers already exists\n');
    await cli.ok(['roles', 'add-perms', 'Readers', 'Auditors', '-r', 'DAGs', '-r', 'DAG Runs', '-a', 'can_read']);
    await cli.ok(['roles', 'add-perms', 'Readers', '-r', 'DAG Runs', '-a', 'can_create', '-a', 'can_edit']);
    await cli.ok(['roles', 'del-perms', 'Readers', '-r', 'DAG Runs', '-a', 'can_edit']);
    const roles = await cli.json<Array<{ name: string; permissions?: string[] }>>([
      'roles',
      'list',
      '-p',
      '-o',
      'json',
    ]);
    expect(roles.map((r) => r.name)).toEqual(['admin', 'op', 'viewer', 'Auditors', 'Readers']);
    expect(roles.find((r) => r.name === 'Readers')?.permissions).toEqual([
      'can_create on DAG Runs',
      'can_read on DAG Runs',
      'can_read on DAGs',
    ]);
    expect(await cli.ok(['roles', 'list', '-o', 'plain'])).toBe('admin\nop\nviewer\nAuditors\nReaders\n');

    expect(await cli.ok(['users', 'create', '-u', 'rita', '-p', 'pw', '-r', 'READERS'])).toBe(
      'User rita created with role Readers\n',
    );
    expectCliError(await cli.run(['roles', 'delete', 'Readers']), 1, /role 'Readers' is held by 1 user/);
    await cli.ok(['users', 'delete', '-u', 'rita']);
    expect(await cli.ok(['roles', 'delete', 'readers'])).toBe('Role readers deleted\n');
  });

  it('exports and imports roles in Airflow’s shape', async () => {
    const file = path.join(cli.home, 'roles.json');
    expect(await cli.ok(['roles', 'export', file])).toMatch(/Exported 1 role\(s\)/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual([
      { name: 'Auditors', resource: 'DAG Runs', action: 'can_read' },
      { name: 'Auditors', resource: 'DAGs', action: 'can_read' },
    ]);
    await cli.ok(['roles', 'delete', 'Auditors']);
    fs.writeFileSync(file, JSON.stringify([{ name: 'Auditors', resource: 'DAGs', action: 'can_read,can_edit' }]));
    expect(await cli.ok(['roles', 'import', file])).toBe(`Imported 1 role(s) from ${file}\n`);
    const roles = await cli.json<Array<{ name: string; permissions: string[] }>>(['roles', 'list', '-p', '-o', 'json']);
    expect(roles.find((r) => r.name === 'Auditors')?.permissions).toEqual(['can_edit on DAGs', 'can_read on DAGs']);
  });

  it('refuses bad input with exit 2 and one line', async () => {
    const addPerms = (...args: string[]) => cli.run(['roles', 'add-perms', 'Auditors', ...args]);
    expectCliError(await addPerms('-r', 'Dragons', '-a', 'can_read'), 2, /unknown resource 'Dragons'/);
    expectCliError(await addPerms('-r', 'DAGs', '-a', 'can_fly'), 2, /unknown action 'can_fly'/);
    expectCliError(await addPerms('-a', 'can_read'), 2, /required option '-r, --resource/);
    expectCliError(await cli.run(['roles', 'create', 'x'.repeat(65)]), 2, /invalid role name/);
    expectCliError(await cli.run(['roles', 'delete', 'Admin']), 2, /the roles Admin, Op and Viewer are built in/);
    expectCliError(await cli.run(['roles', 'add-perms', 'Op', '-r', 'DAGs', '-a', 'can_read']), 2, /built in/);
    expectCliError(
      await cli.run(['users', 'create', '-u', 'z', '-p', 'pw', '-r', 'Nobody']),
      2,
      /invalid role 'Nobody'/,
    );
    const file = path.join(cli.home, 'bad-roles.json');
    fs.writeFileSync(file, JSON.stringify([{ name: 'New', resource: 'Dragons', action: 'can_read' }]));
    expectCliError(await cli.run(['roles', 'import', file]), 2, /unknown resource 'Dragons'/);
    fs.writeFileSync(file, '{oops');
    expectCliError(await cli.run(['roles', 'import', file]), 2, /is not valid JSON/);
    expect((await cli.json<Array<{ name: string }>>(['roles', 'list', '-o', 'json'])).map((r) => r.name)).not.toContain(
      'New',
    );
  });
});
