import type IORedis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { errorMessage } from '../../core/errors';
import type { ResultJobData } from './task-job';

/**
 * Where workers report started/finished/lost: one Redis Stream read by every scheduler through
 * one consumer group, so each entry goes to one scheduler and a batch of results costs one round
 * trip. An entry is acknowledged (and deleted) only after the scheduler applied it; the entries a
 * dead scheduler read but never acknowledged are claimed by another one after a while.
 */
export const RESULTS_GROUP = 'schedulers';

export function resultsStreamKey(prefix: string): string {
  return `${prefix}:dagctl:results`;
}

/** Add one worker event to the stream (inside a MULTI, or alone). */
export function addResult<T extends IORedis | ChainableCommander>(
  client: T,
  prefix: string,
  data: ResultJobData,
): ReturnType<T['xadd']> {
  return client.xadd(resultsStreamKey(prefix), '*', 'r', JSON.stringify(data)) as ReturnType<T['xadd']>;
}

export interface ResultEntry {
  /** The stream entry id, to acknowledge. */
  id: string;
  data: ResultJobData;
}

type RawEntries = Array<[id: string, fields: string[]]>;

/** Stream entries as XREADGROUP/XAUTOCLAIM return them → results (an unreadable entry has data null). */
export function parseEntries(raw: RawEntries | null | undefined): Array<{ id: string; data: ResultJobData | null }> {
  const out: Array<{ id: string; data: ResultJobData | null }> = [];
  for (const [id, fields] of raw ?? []) {
    let data: ResultJobData | null = null;
    const at = fields ? fields.indexOf('r') : -1;
    if (at >= 0 && at % 2 === 0) {
      try {
        const parsed = JSON.parse(fields[at + 1]) as ResultJobData;
        if (parsed && typeof parsed.jobId === 'string' && parsed.event && typeof parsed.event.type === 'string')
          data = parsed;
      } catch {
        data = null;
      }
    }
    out.push({ id, data });
  }
  return out;
}

/** Create the consumer group (with the stream) unless it exists; entries already there are read too. */
export async function ensureResultsGroup(redis: IORedis, prefix: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', resultsStreamKey(prefix), RESULTS_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!/BUSYGROUP/.test(errorMessage(err))) throw err;
  }
}

/** Acknowledge applied entries and delete them, in one round trip. */
export async function ackResults(redis: IORedis, prefix: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const key = resultsStreamKey(prefix);
  await redis
    .multi()
    .xack(key, RESULTS_GROUP, ...ids)
    .xdel(key, ...ids)
    .exec();
}
