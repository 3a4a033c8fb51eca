import type IORedis from 'ioredis';
import { AppContext, requireDependency } from './engine';

/** When a run's try was handed to Redis, taken by a worker, and (null while not yet) completed. */
export interface BullmqJobTimes {
  sent: number;
  taken: number;
  completed: number | null;
}

/**
 * The timestamps the BullMQ jobs of one run keep in Redis (the scheduler's sentAt in the job
 * data, BullMQ's processedOn / finishedOn), by task id; jobs no worker took yet are left out.
 */
export async function readBullmqJobTimes(ctx: AppContext, runId: string): Promise<Map<string, BullmqJobTimes>> {
  const Redis = requireDependency<typeof import('ioredis').default>('ioredis');
  const redis: IORedis = new Redis(ctx.config.redis.url, { maxRetriesPerRequest: 1 });
  const prefix = ctx.config.redis.key_prefix;
  const jobs = new Map<string, BullmqJobTimes>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:default:*`, 'COUNT', 1000, 'TYPE', 'hash');
      cursor = next;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(key, 'processedOn', 'finishedOn', 'data');
      for (const [, reply] of (await pipeline.exec()) ?? []) {
        const [processedOn, finishedOn, data] = reply as Array<string | null>;
        if (!data || !processedOn) continue;
        const job = JSON.parse(data) as { sentAt?: string; workload?: { key?: { runId?: string; taskId?: string } } };
        if (job.workload?.key?.runId !== runId || !job.sentAt || !job.workload.key.taskId) continue;
        jobs.set(job.workload.key.taskId, {
          sent: Date.parse(job.sentAt),
          taken: Number(processedOn),
          completed: finishedOn ? Number(finishedOn) : null,
        });
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return jobs;
}
