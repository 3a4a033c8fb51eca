import type { AppContext } from '../app/app-context';
import { BASH_KILL_GRACE_MS } from '../authoring/operators/bash-operator';
import { UserError } from '../core/errors';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { endJob, startJob } from '../db/transitions/job-transitions';
import { getLogger } from '../logging/logger';
import { resolveSchedulerOptions } from '../scheduler/scheduler-options';
import { HeartbeatThreadUnavailable, startHandRunHeartbeat } from './hand-run-heartbeat';

const log = getLogger('tasks-run');

/** After `fenced`, how long the main thread has to answer before the heartbeat thread kills the process. */
const FENCE_ACK_GRACE_MS = 2_000;
/**
 * After answering `fenced`, how long the hand run's task has to stop (a command that ignores
 * SIGTERM gets SIGKILL after BASH_KILL_GRACE_MS; then the task's callbacks run) before the
 * heartbeat thread kills the process.
 */
const FENCE_STOP_GRACE_MS = BASH_KILL_GRACE_MS + 30_000;

/** The job row of one hand run (`dagctl tasks run`), heart-beaten until it ends. */
export interface HandRunJob {
  id: number;
  /** The claim of this try succeeded: the heartbeat now also checks that the try still belongs to the job. */
  claimed(key: TaskInstanceKey, tryNumber: number): void;
  /**
   * The task ended and nothing of it runs on: once fenced, the hand run may take its time to
   * record the outcome (else the heartbeat thread kills it FENCE_STOP_GRACE_MS after the fence).
   */
  settled(): void;
  /**
   * Stops the heartbeat and records how the hand run ended (the first call only; later ones do
   * nothing). Never throws: a job row left running is found gone once its heartbeat is stale.
   */
  end(state: 'success' | 'failed'): Promise<void>;
}

/**
 * Registers a hand run as a `LocalTaskJob` (Airflow's name): a job row with this host and pid,
 * `running`, whose heartbeat is written every few seconds while the try runs. Its task instance
 * names it (`queued_by_job_id`), so a scheduler can tell a hand run that still goes on from one
 * whose process died (resetOrphanedTasks): no scheduler owns a hand-run try, and without this it
 * would stay `running` for ever. The beat comes at the scheduler's heartbeat interval, and at least
 * three times per `scheduler.zombie_threshold`, so a shortened threshold is not missed.
 *
 * The task runs on this process's event loop, so the beat comes from a thread of its own
 * (startHandRunHeartbeat), as Airflow's LocalTaskJob beats from a process apart from its task: a
 * task that blocks the loop (CPU-bound code) must not look like a dead hand run to a scheduler on
 * another host, which would run a second try beside it. That thread also calls `onFenced` once the
 * hand run must stop its task: its job was declared dead, its try taken, or no beat succeeded for
 * 2/3 of the zombie threshold. When it cannot start, the hand run is refused (UserError). The
 * start and the end of the job are written here.
 */
export async function startHandRunJob(ctx: AppContext, onFenced: (reason: string) => void): Promise<HandRunJob> {
  const ds = ctx.dataSource;
  const options = resolveSchedulerOptions(ctx.config);
  const intervalMs = Math.max(100, Math.min(options.heartbeatIntervalMs, options.zombieThresholdMs / 3));
  // The thread counts the silence from the first beat on this machine's clock (ctx.clock may be another).
  const firstBeatAtMs = Date.now();
  const id = await startJob(ds, 'LocalTaskJob', null, ctx.clock.now());
  let heartbeat;
  try {
    heartbeat = await startHandRunHeartbeat({
      databaseUrl: ctx.config.database.url,
      jobId: id,
      intervalMs,
      fenceAfterMs: Math.round((options.zombieThresholdMs * 2) / 3),
      ackGraceMs: FENCE_ACK_GRACE_MS,
      stopGraceMs: FENCE_STOP_GRACE_MS,
      lastBeatAtMs: firstBeatAtMs,
      onFenced,
    });
  } catch (err) {
    await endJob(ds, id, 'failed', ctx.clock.now()).catch(() => undefined);
    if (err instanceof HeartbeatThreadUnavailable)
      throw new UserError(`cannot start the hand run: ${err.message}; nothing was run`);
    throw err;
  }
  let ended = false;
  return {
    id,
    claimed: (key, tryNumber) => heartbeat.claimed(key, tryNumber),
    settled: () => heartbeat.settled(),
    end: async (state) => {
      if (ended) return;
      ended = true;
      await heartbeat.stop();
      await endJob(ds, id, state, ctx.clock.now()).catch((err: unknown) => {
        log.warn(`could not record the end of hand run job ${id}`, { err });
      });
    },
  };
}
