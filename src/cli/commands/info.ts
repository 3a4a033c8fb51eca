import os from 'node:os';
import type { Command } from 'commander';
import { errorMessage } from '../../core/errors';
import { loadConfig } from '../../config/load-config';
import { redactUrl } from '../../db/data-source';
import { printLine, printObject, isStructured, printData, withOutputOption, type OutputFormat } from '../output';
import { packageVersion } from '../package-version';

/** Reachability probes give up after this long: `info` answers even when a service is down. */
const PROBE_TIMEOUT_MS = 3000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function probeDatabase(url: string): Promise<string> {
  const { openDatabase, migrationStatus } = await import('../../db/data-source');
  try {
    const ds = await withTimeout(openDatabase(url), 'the database');
    try {
      const status = await migrationStatus(ds);
      return status.pending.length === 0 ? 'reachable' : `reachable, ${status.pending.length} migration(s) pending`;
    } finally {
      await ds.destroy();
    }
  } catch (err) {
    return `unreachable: ${errorMessage(err).split('\n')[0]}`;
  }
}

async function probeRedis(url: string): Promise<string> {
  const { default: IORedis } = await import('ioredis');
  // One attempt, no retries: a probe, not a connection the process keeps.
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), 'Redis');
    return (await withTimeout(client.ping(), 'Redis')) === 'PONG' ? 'reachable' : 'unexpected answer to PING';
  } catch (err) {
    return `unreachable: ${errorMessage(err).split('\n')[0]}`;
  } finally {
    client.disconnect();
  }
}

/** `redis://user:pw@host` → `redis://user:***@host`; a bare `redis://:pw@host` too. */
function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * `dagctl info`, as Airflow's: versions, paths, executor, and whether the database and Redis
 * answer. URLs are shown with their passwords masked; no other secret is printed.
 */
export function registerInfoCommand(program: Command): void {
  withOutputOption(
    program.command('info').description('versions, paths, executor, and database and Redis reachability'),
  ).action(async (options: { output: OutputFormat }) => {
    const config = loadConfig();
    const executor = config.core.executor;
    const [database, redis] = await Promise.all([probeDatabase(config.database.url), probeRedis(config.redis.url)]);
    const info = {
      dagctl_version: packageVersion(),
      node_version: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      hostname: os.hostname(),
      dagctl_home: config.home,
      config_file: config.configFile,
      dags_folder: config.core.dags_folder,
      base_log_folder: config.logging.base_log_folder,
      executor,
      database_url: redactUrl(config.database.url),
      database,
      redis_url: redactRedisUrl(config.redis.url),
      redis: executor === 'bullmq' ? redis : `${redis} (not used by the ${executor} executor)`,
    };
    if (isStructured(options.output)) printData(info, options.output);
    else if (options.output === 'plain') printObject(info, 'plain');
    else {
      printLine('dagctl info');
      printObject(info, 'table');
    }
  });
}
