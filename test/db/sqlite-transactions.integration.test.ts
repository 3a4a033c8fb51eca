import { openDatabase, migrate } from '../../src/db/data-source';
import { execSql } from '../../src/db/sql';
import { createTestDatabase } from '../helpers/test-database';

describe('transactions on SQLite (one shared connection per process)', () => {
  it('never interleave: a failing transaction rolls back only its own writes', async () => {
    const db = await createTestDatabase('sqlite');
    const ds = await openDatabase(db.url);
    try {
      await migrate(ds);
      const slowFailing = ds.transaction(async (m) => {
        await execSql(m, "INSERT INTO variable (key, val) VALUES ('doomed', '1')");
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('roll me back');
      });
      const concurrent = ds.transaction(async (m) => {
        await execSql(m, "INSERT INTO variable (key, val) VALUES ('kept', '2')");
      });
      await expect(slowFailing).rejects.toThrow('roll me back');
      await concurrent;
      const { records } = await execSql<{ key: string }>(ds, 'SELECT key FROM variable ORDER BY key');
      expect(records.map((r) => r.key)).toEqual(['kept']);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
