import { Worker } from 'node:worker_threads';
import { distEntry } from '../core/dist-path';
import { errorMessage } from '../core/errors';
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
  /** One beat written from this thread: used only when the heartbeat thread cannot run. */
  beatHere: () => Promise<void>;
}

export interface HandRunHeartbeat {
  /** Stops the beat; once it resolves no beat is under way. Never throws. */
  stop(): Promise<void>;
}

/**
 * Beats a hand run's LocalTaskJob from a thread of its own (hand-run-heartbeat-main.ts, with its
 * own database connection), so a task that blocks this process's event loop — it runs in this
 * process — does not silence the beat. Resolves once the thread's connection is open. The thread
 * is unref'd: it never keeps the process alive. Should it fail to start or die, the beat comes
 * from a timer on this thread instead (as it did before there was a thread), with a warning: a
 * beat that stops while the task blocks is better than none at all.
 */
export async function startHandRunHeartbeat(options: HandRunHeartbeatOptions): Promise<HandRunHeartbeat> {
  const { beatHere, ...data } = options;
  let fallback: NodeJS.Timeout | null = null;
  let stopping = false;
  let beating: Promise<void> = Promise.resolve();
  const beatOnEventLoop = (why: string): void => {
    if (fallback || stopping) return;
    log.warn(`hand run job ${data.jobId}: ${why}; heartbeating from the task's thread instead`);
    fallback = setInterval(() => {
      beating = beatHere().catch((err: unknown) => {
        log.warn(`heartbeat of hand run job ${data.jobId} failed`, { err });
      });
    }, data.intervalMs);
    fallback.unref();
  };

  let thread: Worker | null = null;
  try {
    thread = new Worker(distEntry('services/hand-run-heartbeat-main'), {
      workerData: data satisfies HeartbeatThreadData,
    });
  } catch (err) {
    beatOnEventLoop(`the heartbeat thread did not start (${errorMessage(err)})`);
  }
  const watched = thread ? watchThread(thread, data.jobId, beatOnEventLoop) : null;
  if (watched) await watched.ready;

  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      if (fallback) clearInterval(fallback);
      await beating;
      if (!thread || !watched) return;
      thread.postMessage({ type: 'stop' } satisfies HeartbeatThreadCommand);
      // A ref'd timer: awaiting an unref'd thread alone would let the process exit mid-stop.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_WAIT_MS)));
      if (await Promise.race([watched.gone.then(() => false), timedOut]))
        await thread.terminate().catch(() => undefined);
      clearTimeout(timer);
    },
  };
}

/**
 * Unrefs the thread and listens to it: `ready` once it beats (or has failed, and the event loop
 * beats instead), `gone` once it exited. Its errors are logged; none reaches the hand run.
 */
function watchThread(
  thread: Worker,
  jobId: number,
  beatOnEventLoop: (why: string) => void,
): { ready: Promise<void>; gone: Promise<void> } {
  thread.unref();
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const gone = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const failed = (why: string): void => {
    beatOnEventLoop(why);
    ready();
  };
  thread.on('message', (message: HeartbeatThreadMessage) => {
    if (message.type === 'ready') ready();
    else if (message.type === 'beat-failed')
      log.warn(`heartbeat of hand run job ${jobId} failed`, { err: new Error(message.message) });
    else if (message.type === 'failed') failed(`the heartbeat thread could not open the database (${message.message})`);
  });
  // Without a listener, an error thrown in the thread would be thrown in this one.
  thread.on('error', (err) => failed(`the heartbeat thread failed (${errorMessage(err)})`));
  thread.on('exit', (code) => failed(`the heartbeat thread exited (code ${code})`));
  return { ready: readyPromise, gone };
}
