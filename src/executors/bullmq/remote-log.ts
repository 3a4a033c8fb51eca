import fs from 'node:fs';
import path from 'node:path';
import type IORedis from 'ioredis';
import type { LoadedConfig } from '../../config/load-config';
import { errorMessage } from '../../core/errors';
import type { TaskInstanceKey } from '../../core/task-instance-key';
import { taskLogPath } from '../../logging/task-log-path';
import { remoteLogDoneKey, remoteLogKey, taskJobId } from './bullmq-keys';
import { createRedisClient } from './redis-options';

export interface RemoteLogChunk {
  /** Log text from `offset` on (whole lines while the try runs). */
  content: string;
  /** Byte offset to ask for next. */
  nextOffset: number;
  /** The try ended: nothing more will be appended. */
  complete: boolean;
}

const readers = new Map<string, IORedis>();

function readerFor(url: string): IORedis {
  let client = readers.get(url);
  if (!client) {
    client = createRedisClient(url);
    // Errors surface as rejected reads; the client reconnects on its own.
    client.on('error', () => undefined);
    readers.set(url, client);
  }
  return client;
}

/**
 * The log of a try that runs (or ran) on a bullmq worker, as shipped to Redis so far, from byte
 * `offset`. Null when Redis holds no log for that try (never ran remotely, or expired): read
 * the local file at the contract path instead.
 */
export async function readRemoteLog(
  config: LoadedConfig,
  key: TaskInstanceKey,
  tryNumber: number,
  offset = 0,
): Promise<RemoteLogChunk | null> {
  const redis = readerFor(config.redis.url);
  const prefix = config.redis.key_prefix;
  const jobId = taskJobId(key, tryNumber);
  const start = Math.max(0, Math.trunc(offset));
  const [[, data], [, done], [, length]] = (await redis
    .multi()
    .getrangeBuffer(remoteLogKey(prefix, jobId), start, -1)
    .exists(remoteLogDoneKey(prefix, jobId))
    .strlen(remoteLogKey(prefix, jobId))
    .exec()) as [[Error | null, Buffer], [Error | null, number], [Error | null, number]];
  if (Number(length) === 0 && Number(done) === 0) return null;
  const bytes = start >= Number(length) ? Buffer.alloc(0) : data;
  return { content: bytes.toString('utf8'), nextOffset: start + bytes.length, complete: Number(done) === 1 };
}

/** Close the connections readRemoteLog opened (web server shutdown, tests). */
export async function closeRemoteLogReaders(): Promise<void> {
  const clients = [...readers.values()];
  readers.clear();
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}

/** A try whose log is copied, as copyRemoteLogs takes it. */
export interface EndedTry {
  key: TaskInstanceKey;
  tryNumber: number;
}

/** The path written (null: nothing to copy, or a copy at least as long was there), or why not. */
export type LogCopyOutcome = { file: string | null } | { error: string };

/**
 * Scheduler side: once remote tries ended, write each one's whole log to the contract path under
 * this machine's `logging.base_log_folder`, all fetched in one round trip (a batch of results is
 * one pipeline, not one GET each). A file already there at least as long (the worker shares the
 * folder) is left alone. A failed copy is reported in its try's outcome (the others still happen);
 * only a failed round trip rejects.
 */
export async function copyRemoteLogs(
  redis: IORedis,
  prefix: string,
  baseLogFolder: string,
  tries: EndedTry[],
): Promise<LogCopyOutcome[]> {
  if (tries.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const { key, tryNumber } of tries) pipeline.getBuffer(remoteLogKey(prefix, taskJobId(key, tryNumber)));
  const replies = (await pipeline.exec()) ?? [];
  return tries.map(({ key, tryNumber }, i) => {
    const [err, content] = (replies[i] ?? [new Error('no reply'), null]) as [Error | null, Buffer | null];
    if (err) return { error: err.message };
    try {
      return { file: writeLogCopy(taskLogPath(baseLogFolder, key, tryNumber), content) };
    } catch (writeErr) {
      return { error: errorMessage(writeErr) };
    }
  });
}

/** One try's log, as Redis holds it, written to `file` unless a copy at least as long is there. */
function writeLogCopy(file: string, content: Buffer | null): string | null {
  if (!content || content.length === 0) return null;
  try {
    if (fs.statSync(file).size >= content.length) return null;
  } catch {
    // not there yet
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
  return file;
}
