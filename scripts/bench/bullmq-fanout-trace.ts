import { readBullmqJobTimes } from './bullmq-job-times';
import type { TaskTimes } from './dag-runs';
import type { AppContext } from './engine';
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

export async function traceBullmqFanout(
  ctx: AppContext,
  runId: string,
  tasks: TaskTimes[],
): Promise<BullmqFanoutOccupancy | null> {
  const jobs = await readBullmqJobTimes(ctx, runId);
  const traced = tasks.flatMap((task) => {
    const job = jobs.get(task.taskId);
    return job && job.completed !== null ? [{ ...task, ...job, completed: job.completed }] : [];
  });
  if (traced.length === 0) return null;
  const span = Math.max(...traced.map((t) => t.completed)) - Math.min(...traced.map((t) => t.queued));
  const occupancy = (phase: (t: (typeof traced)[number]) => number): number =>
    round(traced.reduce((sum, t) => sum + phase(t), 0) / span);
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
  return (
    'bullmq tries in flight by phase ' +
    `(average over the run, Little's law on job timestamps in Redis; ${o.traced} traced): ` +
    `queued → sent ${o.queuedToSent}, sent → taken by a worker ${o.sentToTaken}, ` +
    `taken → started ${o.takenToStarted}, running ${o.running}, ended → job completed ${o.endedToCompleted}`
  );
}
