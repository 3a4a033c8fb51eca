import { Worker } from 'node:worker_threads';
import { distEntry } from '../core/dist-path';
import { errorMessage } from '../core/errors';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { formatDurationMs } from '../runner/format-duration-ms';
import { getLogger } from '../logging/logger';
import type {
  HeartbeatThreadCommand,
  HeartbeatThreadData,
  HeartbeatThreadMessage,
} from './hand-run-heartbeat-protocol';

const log = getLogger('tasks-run');

/** How long `stop` waits for the thread to finish its beat and close its connection. */
const STOP_WAIT_MS = 5_000;

export interface HandRunHeartbeatOptions extends HeartbeatThreadData {
  /**
   * The hand run must stop its task now (called once, with a one-line reason): a scheduler took
   * it for dead, its try was taken, its beats failed for too long, or the thread died.
   */
  onFenced: (reason: string) => void;
}

export interface HandRunHeartbeat {
  /** The claim succeeded: each beat now also checks that this try still belongs to the job. */
  claimed(key: TaskInstanceKey, tryNumber: number): void;
  /** The task ended and nothing of it runs on: a fence no longer needs the process killed. */
  settled(): void;
  /** Stops the beat; once it resolves no beat is under way. Never throws. */
  stop(): Promise<void>;
}

/** The heartbeat thread could not start or open the database: the hand run must not start. */
export class HeartbeatThreadUnavailable extends Error {}

/**
 * Beats a hand run's LocalTaskJob from a thread of its own (hand-run-heartbeat-main.ts, with its
 * own database connection), so a task that blocks this process's event loop — it runs in this
 * process — does not silence the beat, and fences the hand run (onFenced) once a scheduler may
 * take it for dead. Resolves once the thread's connection is open; rejects with
 * HeartbeatThreadUnavailable when the thread cannot start or open it: a beat from this thread's
 * event loop would fall silent while a task blocks it, and a scheduler would then run a second
 * try beside this one, so there is no such fallback. The thread is unref'd: it never keeps the
 * process alive.
 */
export async function startHandRunHeartbeat(options: HandRunHeartbeatOptions): Promise<HandRunHeartbeat> {
  const { onFenced, ...data } = options;
  let thread: Worker;
  try {
    thread = new Worker(distEntry('services/hand-run-heartbeat-main'), {
      workerData: data satisfies HeartbeatThreadData,
    });
  } catch (err) {
    throw new HeartbeatThreadUnavailable(`the heartbeat thread did not start (${errorMessage(err)})`);
  }
  thread.unref();
  let stopping = false;
  let fenced = false;
  const fence = (reason: string): void => {
    if (fenced || stopping) return;
    fenced = true;
    onFenced(reason);
  };
  const post = (command: HeartbeatThreadCommand): void => thread.postMessage(command);
  const gone = new Promise<void>((resolve) => thread.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    let ready = false;
    const failed = (why: string): void => {
      if (!ready) reject(new HeartbeatThreadUnavailable(why));
      // No beat comes any more: a scheduler will take the hand run for dead.
      else fence(`${why}; no heartbeat is written any more`);
    };
    thread.on('message', (message: HeartbeatThreadMessage) => {
      if (message.type === 'ready') {
        ready = true;
        resolve();
      } else if (message.type === 'beat-failed')
        log.warn(`heartbeat of hand run job ${data.jobId} failed (warned at most every 30 s)`, {
          err: new Error(message.message),
        });
      else if (message.type === 'beats-resumed') {
        const after = formatDurationMs(message.failedForMs);
        log.info(`heartbeat of hand run job ${data.jobId} written again after ${after} of failures`);
      } else if (message.type === 'fenced') {
        // Answered at once: the thread kills the process when this loop is too blocked to answer.
        post({ type: 'fenced-ack' });
        fence(message.reason);
      } else if (message.type === 'failed')
        failed(`the heartbeat thread could not open the database (${message.message})`);
    });
    // Without a listener, an error thrown in the thread would be thrown in this one.
    thread.on('error', (err) => failed(`the heartbeat thread failed (${errorMessage(err)})`));
    thread.on('exit', (code) => {
      if (!stopping) failed(`the heartbeat thread exited (code ${code})`);
    });
  });

  return {
    claimed: (key, tryNumber) => post({ type: 'claimed', key, tryNumber }),
    settled: () => post({ type: 'settled' }),
    stop: async () => {
      if (stopping) return;
      stopping = true;
      post({ type: 'stop' });
      // A ref'd timer: awaiting an unref'd thread alone would let the process exit mid-stop.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_WAIT_MS)));
      if (await Promise.race([gone.then(() => false), timedOut])) await thread.terminate().catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
