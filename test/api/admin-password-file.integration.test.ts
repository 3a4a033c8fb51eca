import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../../src/app/app-context';
import { ADMIN_PASSWORD_FILE, adminPasswordFile, ensureAdminUser } from '../../src/auth/ensure-admin-user';
import { loadConfig } from '../../src/config/load-config';
import { systemClock } from '../../src/core/clock';
import { createUser } from '../../src/services/users';
import { openMigratedTestDatabase } from '../helpers/test-database';

// Regression test for issue 11: `initdb` against a second database overwrote the first one's
// admin password file.
describe('the admin password file is per database', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-admin-file-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  async function contextFor(kind: 'sqlite' | 'postgres') {
    const db = await openMigratedTestDatabase(kind);
    const config = loadConfig({ DAGCTL_HOME: home, DAGCTL__DATABASE__URL: db.db.url }, home);
    const ctx: AppContext = { config, dataSource: db.dataSource, clock: systemClock };
    return { ctx, close: () => db.close() };
  }

  it('keeps one file per database and writes it only when it created admin there', async () => {
    const first = await contextFor('sqlite');
    const second = await contextFor('postgres');
    const third = await contextFor('sqlite');
    try {
      const files = [first, second, third].map(({ ctx }) => adminPasswordFile(ctx.config));
      expect(new Set(files).size).toBe(3);
      for (const file of files) expect(path.dirname(file)).toBe(home);
      const one = await ensureAdminUser(first.ctx);
      const two = await ensureAdminUser(second.ctx);
      expect(one.file).toBe(files[0]);
      expect(two.file).toBe(files[1]);
      expect(fs.readFileSync(files[0], 'utf8').trim()).toBe(one.password);
      expect(fs.readFileSync(files[1], 'utf8').trim()).toBe(two.password);
      // A database that already has users: no admin is created and no file written.
      await createUser(third.ctx, { username: 'someone', password: 'pw-123456', role: 'viewer' });
      expect(await ensureAdminUser(third.ctx)).toEqual({ created: false });
      expect(fs.existsSync(files[2])).toBe(false);
      expect(fs.readFileSync(files[0], 'utf8').trim()).toBe(one.password);
    } finally {
      await Promise.all([first.close(), second.close(), third.close()]);
    }
  });

  it('keeps the documented name for the default database', () => {
    const config = loadConfig({ DAGCTL_HOME: home }, home);
    expect(adminPasswordFile(config)).toBe(path.join(home, ADMIN_PASSWORD_FILE));
  });
});
