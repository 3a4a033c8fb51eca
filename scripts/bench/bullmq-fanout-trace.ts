import type IORedis from 'ioredis';
import type { TaskTimes } from './dag-runs';
import { AppContext, requireDependency } from './engine';
import { round } from './stats';

/**
 * Where a fanout run's tries spend their time on the bullmq executor: by Little's law, the
 * average number of tries in each phase (sum of the phase's durations / the run's span). The
 * phases add up to the average number of task instances holding a slot; what the traced phases
 * leave is the time from a try's end (worker) to its result applied by a scheduler loop.
 */
export interface BullmqFanoutOccupancy {
  /** queued_dttm (scheduler transaction) → handed to Redis. */
  queuedToSent: number;
  /** Handed to Redis → a worker took the job (waiting for a worker slot). */
  sentToTaken: number;
  /** Taken → the task process started (claim, dispatch). */
  takenToStarted: number;
  /** Running in a task process. */
  running: number;
  /** The try ended → its BullMQ job completed (result reported, job moved). */
  endedToCompleted: number;
  /** Tries traced. */
  traced: number;
}

export async function traceBullmqFanout(ctx: AppContext, runId: string, tasks: TaskTimes[]): Promise<BullmqFanoutOccupancy | null> {
  const Redis = requireDependency<typeof import('ioredis').default>('ioredis');
  const redis: IORedis = new Redis(ctx.config.redis.url, { maxRetriesPerRequest: 1 });
  const prefix = ctx.config.redis.key_prefix;
  const jobs = new Map<string, { sent: number; taken: number; completed: number }>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:default:*`, 'COUNT', 1000, 'TYPE', 'hash');
      cursor = next;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(key, 'processedOn', 'finishedOn', 'data');
      for (const [, reply] of (await pipeline.exec()) ?? []) {
        const [processedOn, finishedOn, data] = reply as Array<string | null>;
        if (!data || !processedOn || !finishedOn) continue;
        const job = JSON.parse(data) as { sentAt?: string; workload?: { key?: { runId?: string; taskId?: string } } };
        if (job.workload?.key?.runId !== runId || !job.sentAt || !job.workload.key.taskId) continue;
        jobs.set(job.workload.key.taskId, { sent: Date.parse(job.sentAt), taken: Number(processedOn), completed: Number(finishedOn) });
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const traced = tasks.flatMap((task) => {
    const job = jobs.get(task.taskId);
    return job ? [{ ...task, ...job }] : [];
  });
  if (traced.length === 0) return null;
  const span = Math.max(...traced.map((t) => t.completed)) - Math.min(...traced.map((t) => t.queued));
  const occupancy = (phase: (t: (typeof traced)[number]) => number): number => round(traced.reduce((sum, t) => sum + phase(t), 0) / span);
  return {
    queuedToSent: occupancy((t) => t.sent - t.queued),
    sentToTaken: occupancy((t) => t.taken - t.sent),
    takenToStarted: occupancy((t) => t.start - t.taken),
    running: occupancy((t) => t.end - t.start),
    endedToCompleted: occupancy((t) => t.completed - t.end),
    traced: traced.length,
  };
}

export function describeBullmqFanoutOccupancy(o: BullmqFanoutOccupancy): string {
  return `bullmq tries in flight by phase (average over the run, Little's law on job timestamps in Redis; ${o.traced} traced): `
    + `queued → sent ${o.queuedToSent}, sent → taken by a worker ${o.sentToTaken}, taken → started ${o.takenToStarted}, `
    + `running ${o.running}, ended → job completed ${o.endedToCompleted}`;
}
