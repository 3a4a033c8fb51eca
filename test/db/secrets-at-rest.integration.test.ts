import { execFileSync } from 'node:child_process';
import { DataSource } from 'typeorm';
import { FakeClock } from '../../src/core/clock';
import { errorMessage } from '../../src/core/errors';
import { buildDataSourceOptions, migrate, openDatabase } from '../../src/db/data-source';
import { ALL_MIGRATIONS } from '../../src/db/migrations';
import { generateFernetKey } from '../../src/db/secrets-cipher';
import { useFernetKey } from '../../src/db/secrets-keyring';
import { execSql } from '../../src/db/sql';
import { addConnection, getConnection } from '../../src/services/connections';
import { rotateFernetKey } from '../../src/services/rotate-fernet-key';
import { getVariable, setVariable } from '../../src/services/variables';
import { DATABASE_KINDS, TestDatabase, createTestDatabase, openMigratedTestDatabase } from '../helpers/test-database';

const PASSWORD = 'canary-password-7f3a';
const EXTRA_TOKEN = 'canary-extra-token-91c2';
const VARIABLE = 'canary-variable-d04e';

/** Everything the database holds, as its own dump tool writes it. */
function dump(db: TestDatabase): string {
  if (db.kind === 'sqlite') return execFileSync('sqlite3', [new URL(db.url).pathname, '.dump'], { encoding: 'utf8' });
  return execFileSync('pg_dump', ['--data-only', `--dbname=${db.url}`], { encoding: 'utf8' });
}

async function plantSecrets(ctx: { dataSource: DataSource; clock: FakeClock }): Promise<void> {
  await setVariable(ctx, 'api_secret', VARIABLE, 'planted by the test');
  await addConnection(ctx, {
    connId: 'warehouse',
    connType: 'postgres',
    host: 'db.example',
    login: 'etl',
    password: PASSWORD,
    extra: JSON.stringify({ token: EXTRA_TOKEN, sslmode: 'require' }),
  });
}

async function expectSecretsReadable(ctx: { dataSource: DataSource; clock: FakeClock }): Promise<void> {
  expect((await getVariable(ctx, 'api_secret')).value).toBe(VARIABLE);
  const conn = await getConnection(ctx, 'warehouse');
  expect(conn.password).toBe(PASSWORD);
  expect(JSON.parse(conn.extra ?? '{}')).toEqual({ token: EXTRA_TOKEN, sslmode: 'require' });
}

describe.each(DATABASE_KINDS)('secrets at rest on %s', (kind) => {
  let opened: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let ctx: { dataSource: DataSource; clock: FakeClock };
  const key = generateFernetKey();

  beforeEach(async () => {
    opened = await openMigratedTestDatabase(kind);
    useFernetKey(key);
    ctx = { dataSource: opened.dataSource, clock: new FakeClock('2026-02-01T00:00:00Z') };
  });
  afterEach(async () => {
    await opened.close();
  });

  it('round-trips through the services while the dump holds no clear text', async () => {
    await plantSecrets(ctx);
    await expectSecretsReadable(ctx);
    const { records } = await execSql<{ val: string }>(ctx.dataSource, 'SELECT val FROM variable');
    expect(records[0].val).toMatch(/^dagctl:v1:/);
    const text = dump(opened.db);
    expect(text).toContain('api_secret');
    expect(text).toContain('db.example');
    for (const canary of [PASSWORD, EXTRA_TOKEN, VARIABLE]) expect(text).not.toContain(canary);
  });

  it('rotate-fernet-key re-encrypts with the first key; the old key alone then fails', async () => {
    await plantSecrets(ctx);
    const newKey = generateFernetKey();
    useFernetKey(`${newKey},${key}`);
    expect(await rotateFernetKey(ctx.dataSource)).toEqual({ connection: 1, variable: 1 });
    useFernetKey(newKey);
    await expectSecretsReadable(ctx);
    useFernetKey(key);
    await expect(getVariable(ctx, 'api_secret')).rejects.toThrow(/^core\.fernet_key does not decrypt/);
  });

  it('a wrong key: one line naming core.fernet_key, no secret in it; rotation changes nothing', async () => {
    await plantSecrets(ctx);
    useFernetKey(generateFernetKey());
    const failure = await getConnection(ctx, 'warehouse').catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    const message = errorMessage(failure);
    expect(message).toMatch(/^core\.fernet_key does not decrypt/);
    expect(message).not.toContain('\n');
    expect(message).not.toContain(PASSWORD);
    await expect(rotateFernetKey(ctx.dataSource)).rejects.toThrow(/core\.fernet_key/);
    useFernetKey(key);
    await expectSecretsReadable(ctx);
    useFernetKey('');
    await expect(getVariable(ctx, 'api_secret')).rejects.toThrow(/^core\.fernet_key is not set/);
  });
});

describe.each(DATABASE_KINDS)('upgrade migration of clear-text secrets on %s', (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.drop();
  });

  /** The schema as an earlier dagctl left it, with secrets it stored in clear text. */
  async function plantClearRowsBeforeEncryption(): Promise<void> {
    const earlier = ALL_MIGRATIONS.filter((m) => Number(/(\d{13})$/.exec(new m().name)?.[1]) < 1700000000009);
    const ds = new DataSource({ ...buildDataSourceOptions(db.url), migrations: earlier });
    await ds.initialize();
    try {
      await ds.runMigrations({ transaction: 'each' });
      await execSql(ds, 'INSERT INTO variable ("key", val) VALUES (?, ?)', ['api_secret', VARIABLE]);
      await execSql(ds, 'INSERT INTO connection (conn_id, conn_type, host, password, extra) VALUES (?, ?, ?, ?, ?)', [
        'warehouse',
        'postgres',
        'db.example',
        PASSWORD,
        JSON.stringify({ token: EXTRA_TOKEN, sslmode: 'require' }),
      ]);
      await execSql(ds, 'INSERT INTO connection (conn_id, conn_type) VALUES (?, ?)', ['bare', 'http']);
    } finally {
      await ds.destroy();
    }
  }

  it('encrypts them, after which every reader still sees clear values', async () => {
    await plantClearRowsBeforeEncryption();
    expect(dump(db)).toContain(PASSWORD);
    const ds = await openDatabase(db.url, { fernetKey: generateFernetKey() });
    try {
      expect(await migrate(ds)).toContain('EncryptSecrets1700000000009');
      const ctx = { dataSource: ds, clock: new FakeClock('2026-02-01T00:00:00Z') };
      await expectSecretsReadable(ctx);
      expect((await getConnection(ctx, 'bare')).password).toBeNull();
      const text = dump(db);
      for (const canary of [PASSWORD, EXTRA_TOKEN, VARIABLE]) expect(text).not.toContain(canary);
    } finally {
      await ds.destroy();
    }
  });

  it('without a key it fails with the one-line error and leaves the rows as they were', async () => {
    await plantClearRowsBeforeEncryption();
    const ds = await openDatabase(db.url, { fernetKey: '' });
    try {
      await expect(migrate(ds)).rejects.toThrow(/^core\.fernet_key is not set/);
      const { records } = await execSql<{ val: string }>(ds, 'SELECT val FROM variable');
      expect(records[0].val).toBe(VARIABLE);
    } finally {
      await ds.destroy();
    }
  });
});
