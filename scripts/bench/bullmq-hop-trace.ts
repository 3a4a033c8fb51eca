import { readBullmqJobTimes } from './bullmq-job-times';
import type { TaskTimes } from './dag-runs';
import type { AppContext } from './engine';
import { percentile, round } from './stats';

/** Where the time of one chain hop goes on the bullmq executor, p50 over the hops of a run (ms). */
export interface BullmqHopSplit {
  /** Upstream end (worker) → the scheduler loop that queues the downstream starts (queued_dttm). */
  resultToLoop: number;
  /** That loop's start → the scheduler hands the try to Redis (its DB work). */
  loopToSend: number;
  /** Handed to Redis → a worker took the job. */
  sendToPickup: number;
  /** Job taken → the task process started (claim, warm pool dispatch). */
  pickupToStart: number;
}

/**
 * Traces each hop of a chain run through the timestamps its BullMQ jobs keep in Redis (sent by
 * the scheduler, taken by a worker) next to the task instances' queued/start/end dates.
 */
export async function traceBullmqHops(
  ctx: AppContext,
  runId: string,
  tasks: TaskTimes[],
): Promise<BullmqHopSplit | null> {
  const jobs = await readBullmqJobTimes(ctx, runId);
  const hops = tasks.slice(1).flatMap((task, i) => {
    const job = jobs.get(task.taskId);
    return job
      ? [
          {
            resultToLoop: task.queued - tasks[i].end,
            loopToSend: job.sent - task.queued,
            sendToPickup: job.taken - job.sent,
            pickupToStart: task.start - job.taken,
          },
        ]
      : [];
  });
  if (hops.length === 0) return null;
  const p50 = (field: keyof BullmqHopSplit): number =>
    round(
      percentile(
        hops.map((hop) => hop[field]),
        50,
      ),
    );
  return {
    resultToLoop: p50('resultToLoop'),
    loopToSend: p50('loopToSend'),
    sendToPickup: p50('sendToPickup'),
    pickupToStart: p50('pickupToStart'),
  };
}

export function describeBullmqHopSplit(split: BullmqHopSplit): string {
  return (
    `bullmq hop trace (p50, from job timestamps in Redis): upstream end → scheduler loop ${split.resultToLoop} ms, ` +
    `loop → try sent to Redis ${split.loopToSend} ms (scheduler DB work), ` +
    `sent → worker took it ${split.sendToPickup} ms, taken → started ${split.pickupToStart} ms`
  );
}
