import type { TaskInstanceKey } from '../core/task-instance-key';

/**
 * What a hand run's heartbeat thread (hand-run-heartbeat-main.ts, a `worker_threads` Worker) is
 * given and says, and what the main thread tells it.
 */
export interface HeartbeatThreadData {
  /** `database.url`: the thread opens its own connection (one; a thread cannot share the main one). */
  databaseUrl: string;
  /** The hand run's LocalTaskJob row. */
  jobId: number;
  intervalMs: number;
  /**
   * No beat has succeeded for this long (about 2/3 of `scheduler.zombie_threshold`): a scheduler
   * will soon take the hand run for dead, so its task must stop (the thread says `fenced`).
   */
  fenceAfterMs: number;
  /** After `fenced`, how long the main thread has to acknowledge before the thread kills the process. */
  ackGraceMs: number;
  /**
   * After acknowledging `fenced`, how long the main thread has to stop its task (`settled`) or end
   * the hand run (`stop`) before the thread kills the process: a task that blocks the event loop
   * after the acknowledgement must not run on beside the next try.
   */
  stopGraceMs: number;
  /** When the job's last heartbeat was written (its start, ms since the epoch): silence counts from it. */
  lastBeatAtMs: number;
}

export type HeartbeatThreadMessage =
  /** Its connection is open and the first beat is scheduled. */
  | { type: 'ready' }
  /** Beats fail (the next one is tried as usual): for the main thread to log; at most one per 30 s. */
  | { type: 'beat-failed'; message: string }
  /** A beat succeeded after failed ones. */
  | { type: 'beats-resumed'; failedForMs: number }
  /** It could not open its connection and ends: the hand run must not start. */
  | { type: 'failed'; message: string }
  /**
   * The hand run must stop its task now (a scheduler declared its job dead, its try was taken, or
   * no beat succeeded for `fenceAfterMs`); `reason` is one line that says which. Answer with
   * `fenced-ack` within `ackGraceMs` and send `settled` or `stop` within `stopGraceMs` after that,
   * else the thread kills the process's descendants, the process groups they lead, and the process.
   */
  | { type: 'fenced'; reason: string }
  /** After `stop`: no beat is under way any more and its connection is closed. */
  | { type: 'stopped' };

export type HeartbeatThreadCommand =
  /** The claim succeeded: from now on each beat also checks that the try still belongs to the job. */
  | { type: 'claimed'; key: TaskInstanceKey; tryNumber: number }
  /** The main thread got `fenced` and is stopping its task itself. */
  | { type: 'fenced-ack' }
  /**
   * The task ended and nothing of it runs on (runTask returned without `stillRunning`): a fence
   * no longer needs the process killed while the outcome is being recorded.
   */
  | { type: 'settled' }
  | { type: 'stop' };
