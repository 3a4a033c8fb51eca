import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateFernetKey } from '../../src/db/secrets-cipher';
import { DATABASE_KINDS, TestDatabase } from '../helpers/test-database';
import { createCliHome, CliHome, expectCliError } from './helpers/dagctl-cli';

jest.setTimeout(300_000);

const PASSWORD = 'canary-pw-5b1e';
const VARIABLE = 'canary-var-77d0';

function dump(db: TestDatabase): string {
  if (db.kind === 'sqlite') return execFileSync('sqlite3', [new URL(db.url).pathname, '.dump'], { encoding: 'utf8' });
  return execFileSync('pg_dump', ['--data-only', `--dbname=${db.url}`], { encoding: 'utf8' });
}

describe.each(DATABASE_KINDS)('secrets at rest through the CLI on %s (built binary)', (kind) => {
  let cli: CliHome;
  let initOutput: string;
  beforeAll(async () => {
    cli = await createCliHome(kind);
    initOutput = await cli.ok(['initdb']);
  });
  afterAll(async () => cli.close());

  const configFile = () => path.join(cli.home, 'dagctl.json');
  const storedKey = () => (JSON.parse(fs.readFileSync(configFile(), 'utf8')) as { core: { fernet_key: string } }).core;

  it('initdb generates core.fernet_key into $DAGCTL_HOME/dagctl.json (0600), says where, never prints it', async () => {
    const key = storedKey().fernet_key;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(initOutput).toContain(`Generated core.fernet_key (encrypts connections and variables) in ${configFile()}`);
    expect(initOutput).not.toContain(key);
    expect(fs.statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(await cli.ok(['initdb'])).not.toMatch(/Generated core\.fernet_key/);
    expect(storedKey().fernet_key).toBe(key);
  });

  it('stores a planted password and variable encrypted, reads them back in clear', async () => {
    await cli.ok(['variables', 'set', 'api_secret', VARIABLE]);
    await cli.ok(['connections', 'add', 'warehouse', '--conn-uri', `postgres://etl:${PASSWORD}@db.example:5432/dw`]);
    expect(await cli.ok(['variables', 'get', 'api_secret'])).toBe(`${VARIABLE}\n`);
    expect(await cli.ok(['connections', 'get', 'warehouse'])).toBe(`postgres://etl:${PASSWORD}@db.example:5432/dw\n`);
    const text = dump(cli.db);
    expect(text).toContain('db.example');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(VARIABLE);
  });

  it('a wrong or malformed key is a one-line error naming core.fernet_key', async () => {
    const wrong = { DAGCTL__CORE__FERNET_KEY: generateFernetKey() };
    expectCliError(
      await cli.run(['variables', 'get', 'api_secret'], { env: wrong }),
      1,
      /core\.fernet_key does not decrypt the stored secrets/,
    );
    const malformed = await cli.run(['connections', 'get', 'warehouse'], { env: { DAGCTL__CORE__FERNET_KEY: 'abc' } });
    expectCliError(malformed, 1, /core\.fernet_key: key 1 of 1 is not 32 bytes/);
    expect(malformed.stderr).not.toContain(PASSWORD);
  });

  it('rotate-fernet-key re-encrypts with the first of two keys', async () => {
    const oldKey = storedKey().fernet_key;
    const newKey = generateFernetKey();
    const rotated = await cli.run(['rotate-fernet-key', '-o', 'json'], {
      env: { DAGCTL__CORE__FERNET_KEY: `${newKey},${oldKey}` },
    });
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toEqual({ connections: 1, variables: 1 });
    const withNew = await cli.run(['variables', 'get', 'api_secret'], { env: { DAGCTL__CORE__FERNET_KEY: newKey } });
    expect(withNew).toMatchObject({ code: 0, stdout: `${VARIABLE}\n` });
    expectCliError(await cli.run(['variables', 'get', 'api_secret']), 1, /core\.fernet_key does not decrypt/);
  });
});
