import { Client } from 'pg';
import { freePort } from '../free-port';
import { PrivatePostgres } from './private-postgres';
import { ping, PrivateRedis } from './private-redis';
import { requireServiceBinaries } from './service-binaries';
import { setStartedServices, stopServicesNow } from './started-services';

const SHARED_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const SHARED_REDIS = 'redis://127.0.0.1:6379';

/**
 * Jest global setup of every project but unit: find PostgreSQL and Redis for the tests. The
 * shared servers (or DAGCTL_TEST_PG_URL / DAGCTL_TEST_REDIS_URL) when they answer; otherwise a
 * private PostgreSQL and redis-server on free ports, from the installed binaries. The chosen URLs
 * go to the test processes as DAGCTL_TEST_PG_URL and DAGCTL_TEST_REDIS_URL (read by
 * test-database.ts and test-redis.ts). DAGCTL_TEST_FORCE_PRIVATE_SERVICES=1 skips the shared ones,
 * as on a machine where none runs. Shared servers are only ever connected to, never stopped.
 */
export default async function globalSetup(): Promise<void> {
  const forced = process.env.DAGCTL_TEST_FORCE_PRIVATE_SERVICES === '1';
  const postgresCandidate = process.env.DAGCTL_TEST_PG_URL ?? SHARED_POSTGRES;
  const redisCandidate = process.env.DAGCTL_TEST_REDIS_URL ?? SHARED_REDIS;
  const [postgresUp, redisUp] = forced
    ? [false, false]
    : await Promise.all([postgresAnswers(postgresCandidate), ping(redisCandidate)]);
  const binaries = requireServiceBinaries({ postgres: !postgresUp, redis: !redisUp });

  process.once('exit', stopServicesNow);
  const [postgres, redis] = await Promise.all([
    binaries.postgresBin ? freePort().then((port) => PrivatePostgres.start(binaries.postgresBin!, port)) : null,
    binaries.redisServer ? startRedis(binaries.redisServer) : null,
  ]);
  setStartedServices({ postgres, redis });

  process.env.DAGCTL_TEST_PG_URL = postgres?.url ?? postgresCandidate;
  process.env.DAGCTL_TEST_REDIS_URL = redis?.url ?? redisCandidate;
  const how = (started: unknown): string => (started ? 'private' : 'shared');
  process.stderr.write(
    `\ntest services: PostgreSQL ${how(postgres)} at ${process.env.DAGCTL_TEST_PG_URL}, ` +
      `Redis ${how(redis)} at ${process.env.DAGCTL_TEST_REDIS_URL}` +
      `${forced ? ' (DAGCTL_TEST_FORCE_PRIVATE_SERVICES=1)' : ''}\n`,
  );
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startRedis(binary: string): Promise<PrivateRedis> {
  const redis = new PrivateRedis(await freePort(), binary);
  await redis.start();
  return redis;
}
