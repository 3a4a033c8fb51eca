/**
 * Entry of a hand run's heartbeat thread: a `worker_threads` Worker that startHandRunHeartbeat
 * starts from dist/. It writes the LocalTaskJob's heartbeat (heartbeatJob) every `intervalMs`
 * through a connection of its own, so a task that blocks the `tasks run` process's event loop
 * (a CPU-bound FunctionOperator runs on it) does not silence the beat: a scheduler on another host
 * would otherwise find the job gone and run a second try while this one still runs.
 *
 * It is also the hand run's fence (Airflow's LocalTaskJob kills its task when its heartbeat finds
 * it was declared dead or its task instance changed from outside). Two tries of one task must
 * never overlap, so once a scheduler may run another try, this one must stop: when a beat updates
 * nothing (the job is no longer running: a scheduler marked it failed), when the try no longer
 * belongs to the job, or when no beat has succeeded for `fenceAfterMs` (2/3 of the zombie
 * threshold: a scheduler will soon take it for dead), it says `fenced`. The main thread then aborts
 * the try; if it does not answer within `ackGraceMs` (a task blocks its event loop), this thread
 * kills the process's children's process groups (a BashOperator's lives in a session of its own)
 * and the process itself.
 *
 * The beat is this machine's wall clock, as every scheduler's and worker's heartbeat is. Errors
 * go to the main thread as messages (it logs them); this thread writes nothing else.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { errorMessage } from '../core/errors';
import { openDatabase } from '../db/data-source';
import { handRunOwnsTry } from '../db/reads/job-reads';
import { heartbeatJob } from '../db/transitions/job-transitions';
import { killProcessTree } from '../runner/kill-process-tree';
import { BeatFailureThrottle } from './beat-failure-throttle';
import type {
  HeartbeatThreadCommand,
  HeartbeatThreadData,
  HeartbeatThreadMessage,
} from './hand-run-heartbeat-protocol';

/** A database outage must not flood the task log: one warning per this long while beats fail. */
const WARN_EVERY_MS = 30_000;

const data = workerData as HeartbeatThreadData;

function send(message: HeartbeatThreadMessage): void {
  parentPort?.postMessage(message);
}

/**
 * The main thread did not answer `fenced`: its event loop is blocked, so nothing it runs can be
 * stopped from there. Kill everything it started and the process (killProcessTree: every
 * descendant, the process groups they lead — a BashOperator's bash leads its own — and its own
 * group when it leads one), so the try cannot go on beside the next one.
 */
function killProcess(reason: string): never {
  // Synchronously to fd 2: process.stderr of a thread goes through the blocked main thread.
  fs.writeSync(2, `dagctl tasks run: ${reason}; the task did not stop, killing the process\n`);
  try {
    killProcessTree(process.pid, 'SIGKILL');
  } finally {
    process.kill(process.pid, 'SIGKILL');
  }
  throw new Error('unreachable: the process was killed');
}

async function main(): Promise<void> {
  let ds: DataSource;
  try {
    // The app's own way of opening the database: on SQLite the same WAL mode and busy timeout, so
    // a beat waits for a write of the main thread instead of failing with "database is locked".
    ds = await openDatabase(data.databaseUrl, { poolSize: 1 });
  } catch (err) {
    send({ type: 'failed', message: errorMessage(err) });
    parentPort?.close();
    return;
  }
  let claim: { key: TaskInstanceKey; tryNumber: number } | null = null;
  let lastSuccessMs = Date.now();
  const warnings = new BeatFailureThrottle(WARN_EVERY_MS);
  let lastError = '';
  let fenced = false;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  const fence = (reason: string): void => {
    if (fenced || stopping) return;
    fenced = true;
    clearInterval(timer);
    send({ type: 'fenced', reason });
    killTimer = setTimeout(() => killProcess(reason), data.ackGraceMs);
  };

  const beat = async (): Promise<void> => {
    try {
      if (!(await heartbeatJob(ds, data.jobId, new Date())))
        return fence(`job ${data.jobId} is no longer running in the database`);
      if (claim && !(await handRunOwnsTry(ds, data.jobId, claim.key, claim.tryNumber)))
        return fence(`its task instance no longer runs try ${claim.tryNumber} for job ${data.jobId}`);
      lastSuccessMs = Date.now();
      const failedForMs = warnings.succeeded(lastSuccessMs);
      if (failedForMs !== null) send({ type: 'beats-resumed', failedForMs });
    } catch (err) {
      lastError = errorMessage(err);
      if (warnings.failed(Date.now())) send({ type: 'beat-failed', message: lastError });
    }
  };

  // One beat at a time: a beat still waiting (for a lock, a slow server) skips the next tick.
  let beating: Promise<void> | null = null;
  const timer = setInterval(() => {
    // Checked on every tick, also while a beat hangs on a server that does not answer.
    const silentMs = Date.now() - lastSuccessMs;
    if (silentMs >= data.fenceAfterMs) {
      const why = lastError ? ` (last error: ${lastError})` : '';
      return fence(`no heartbeat of job ${data.jobId} written for ${Math.round(silentMs / 1000)} s${why}`);
    }
    if (beating || fenced) return;
    beating = beat().finally(() => {
      beating = null;
    });
  }, data.intervalMs);

  parentPort?.on('message', (command: HeartbeatThreadCommand) => {
    if (command.type === 'claimed') claim = { key: command.key, tryNumber: command.tryNumber };
    // The main thread answers: it is stopping the task itself.
    else if (command.type === 'fenced-ack') clearTimeout(killTimer);
    else if (command.type === 'stop') {
      // The main thread's loop runs (it could send this): no need to kill it.
      stopping = true;
      clearTimeout(killTimer);
      clearInterval(timer);
      void (async () => {
        await beating;
        await ds.destroy().catch(() => undefined);
        send({ type: 'stopped' });
        parentPort?.close();
      })();
    }
  });
  send({ type: 'ready' });
}

void main();
