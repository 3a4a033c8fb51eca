import { Client } from 'pg';
import { freePort } from '../free-port';
import { PrivatePostgres } from './private-postgres';
import { ping, PrivateRedis } from './private-redis';
import { findPostgresBin, findRedisServer } from './service-binaries';

/**
 * What the global setup falls back to when no shared server answers (DAGCTL_TEST_FORCE_PRIVATE_SERVICES=1
 * runs a whole project that way): a private PostgreSQL and redis-server on free ports, usable, then
 * gone after stopping.
 */
describe('private test services', () => {
  jest.setTimeout(120_000);

  it('starts PostgreSQL from the installed binaries on a free port with trust auth, and stops it', async () => {
    const pg = await PrivatePostgres.start(findPostgresBin()!, await freePort());
    let stopped = false;
    try {
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      await client.query('CREATE DATABASE dagctl_private_check');
      const { rows } = await client.query<{ n: number }>('SELECT 1 + 1 AS n');
      expect(rows).toEqual([{ n: 2 }]);
      await client.end();
      await pg.stop();
      stopped = true;
      const after = new Client({ connectionString: pg.url, connectionTimeoutMillis: 2_000 });
      after.on('error', () => undefined);
      await expect(after.connect()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (!stopped) await pg.stop();
    }
  });

  it('starts redis-server on a free port, and stops it', async () => {
    const redis = new PrivateRedis(await freePort(), findRedisServer()!);
    try {
      await redis.start();
      expect(await ping(redis.url)).toBe(true);
      await redis.kill();
      expect(await ping(redis.url)).toBe(false);
    } finally {
      await redis.remove();
    }
  });
});
