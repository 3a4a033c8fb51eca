import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client as PgClient } from 'pg';
import type IORedis from 'ioredis';
import { removeWhenBenchEnds } from './deferred-removal';
import { AppContext, engine, LoadedConfig, requireDependency } from './engine';
import type { Database, Executor } from './result';

export const PG_ADMIN_URL = process.env.DAGCTL_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.DAGCTL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh DAGCTL_HOME with its own database (and Redis key prefix), removed by `cleanup()`. */
export interface BenchHome {
  dir: string;
  dagsFolder: string;
  executor: Executor;
  database: Database;
  databaseUrl: string;
  redisPrefix: string;
  /** Environment for dagctl child processes (default config but for what the scenario sets). */
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  writeDag(relative: string, source: string): string;
  /** Run the migrations (what `dagctl initdb` does). */
  migrate(): Promise<void>;
  openContext(): Promise<AppContext>;
  cleanup(): Promise<void>;
}

export interface BenchHomeOptions {
  executor: 'local' | 'bullmq';
  database: 'sqlite' | 'postgres';
  /** Extra DAGCTL__… settings. */
  env?: Record<string, string>;
}

function uniqueName(): string {
  return `dagctl_bench_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}

async function withPgAdmin<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
  const { Client } = requireDependency<typeof import('pg')>('pg');
  const client = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Delete every Redis key under `prefix:` (bounded SCAN loop). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const Redis = requireDependency<typeof import('ioredis').default>('ioredis');
  const redis: IORedis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    for (let i = 0; i < 100_000; i += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function createBenchHome(options: BenchHomeOptions): Promise<BenchHome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-bench-'));
  const dagsFolder = path.join(dir, 'dags');
  fs.mkdirSync(dagsFolder);
  const name = uniqueName();
  let databaseUrl: string;
  if (options.database === 'sqlite') {
    databaseUrl = `sqlite://${path.join(dir, 'dagctl.db')}`;
  } else {
    await withPgAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const redisPrefix = name;
  const env: NodeJS.ProcessEnv = {};
  // Only what a user's shell would carry, not this process's DAGCTL_* settings.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DAGCTL')) env[k] = v;
  Object.assign(env, {
    DAGCTL_HOME: dir,
    DAGCTL__DATABASE__URL: databaseUrl,
    DAGCTL__CORE__EXECUTOR: options.executor,
    DAGCTL__REDIS__URL: REDIS_URL,
    DAGCTL__REDIS__KEY_PREFIX: redisPrefix,
    ...options.env,
  });
  const config = engine.config().loadConfig(env, dir);
  let cleaned = false;
  return {
    dir,
    dagsFolder,
    executor: options.executor,
    database: options.database,
    databaseUrl,
    redisPrefix,
    env,
    config,
    writeDag(relative, source) {
      const file = path.join(dagsFolder, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, source);
      return file;
    },
    async migrate() {
      const { openDatabase, migrate } = engine.dataSource();
      const ds = await openDatabase(databaseUrl);
      try {
        await migrate(ds);
      } finally {
        await ds.destroy();
      }
    },
    openContext() {
      return engine.appContext().openAppContext({ config });
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      removeWhenBenchEnds(dir);
      if (options.database === 'postgres') {
        await withPgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
      }
      if (options.executor === 'bullmq') await deleteRedisKeys(redisPrefix).catch(() => undefined);
    },
  };
}
