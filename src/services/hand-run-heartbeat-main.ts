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
 * the try; if it does not answer within `ackGraceMs` (a task blocks its event loop), or its task
 * has not stopped (`settled`, or the hand run's `stop`) within `stopGraceMs` after answering, this
 * thread kills the process's descendants and the process groups they lead (a BashOperator's lives
 * in a session of its own), then the process itself.
 *
 * The beat written is this machine's wall clock, as every scheduler's and worker's heartbeat is;
 * the silence before a fence is measured on the monotonic clock, so a clock step does not fence a
 * healthy hand run or spare a silent one. Errors go to the main thread as messages (it logs them);
 * this thread writes nothing else.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { errorMessage } from '../core/errors';
import { openDatabase } from '../db/data-source';
import { handRunOwnsTry } from '../db/reads/job-reads';
import { heartbeatJob } from '../db/transitions/job-transitions';
import { formatDurationMs } from '../runner/format-duration-ms';
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
 * The main thread did not answer `fenced`, or did not end the hand run after answering: its event
 * loop is blocked, so nothing it runs can be stopped from there. Kill everything it started and
 * the process, so the try cannot go on beside the next one: every descendant and the process
 * groups they lead (a BashOperator's bash leads its own), but not this process's own group, which
 * may hold its shell pipeline's other commands (`dagctl tasks run … | tee`).
 */
function killProcess(reason: string, deadline: string): never {
  // Synchronously to fd 2: process.stderr of a thread goes through the blocked main thread.
  fs.writeSync(2, `dagctl tasks run: ${reason}; the task did not stop ${deadline}, killing the process\n`);
  try {
    killProcessTree(process.pid, 'SIGKILL', { includeRoot: false });
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
  // Monotonic time of the last beat written, first the one startJob wrote (the database may have
  // taken a while to open): what a scheduler sees as the job's latest heartbeat.
  let lastBeatAt = performance.now() - Math.max(0, Date.now() - data.lastBeatAtMs);
  const warnings = new BeatFailureThrottle(WARN_EVERY_MS);
  let lastError = '';
  let fenced = false;
  let fenceReason = '';
  let taskSettled = false;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  const fence = (reason: string): void => {
    if (fenced || stopping) return;
    fenced = true;
    fenceReason = reason;
    clearInterval(timer);
    send({ type: 'fenced', reason });
    killTimer = setTimeout(() => killProcess(reason, 'when told to'), data.ackGraceMs);
  };

  const beat = async (): Promise<void> => {
    const startedAt = performance.now();
    try {
      if (!(await heartbeatJob(ds, data.jobId, new Date())))
        return fence(`job ${data.jobId} is no longer running in the database: a scheduler took it for dead`);
      if (claim && !(await handRunOwnsTry(ds, data.jobId, claim.key, claim.tryNumber)))
        return fence(
          `its task instance no longer runs try ${claim.tryNumber} for job ${data.jobId}: ` +
            'a scheduler or a user ended, cleared or took it',
        );
      lastBeatAt = startedAt;
      const failedForMs = warnings.succeeded(Date.now());
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
    const silentMs = performance.now() - lastBeatAt;
    if (silentMs >= data.fenceAfterMs) {
      const why = lastError ? ` (last error: ${lastError})` : '';
      return fence(
        `no heartbeat of job ${data.jobId} written for ${Math.round(silentMs / 1000)} s${why}; ` +
          'a scheduler will soon take it for dead',
      );
    }
    if (beating || fenced) return;
    beating = beat().finally(() => {
      beating = null;
    });
  }, data.intervalMs);

  parentPort?.on('message', (command: HeartbeatThreadCommand) => {
    if (command.type === 'claimed') claim = { key: command.key, tryNumber: command.tryNumber };
    // The main thread answers: it is stopping the task itself. The task must still stop in time:
    // one that blocks the loop from now on would otherwise go on beside the next try.
    else if (command.type === 'fenced-ack') {
      clearTimeout(killTimer);
      if (stopping || taskSettled) return;
      const within = `within ${formatDurationMs(data.stopGraceMs)}`;
      killTimer = setTimeout(() => killProcess(fenceReason, within), data.stopGraceMs);
    } else if (command.type === 'settled') {
      // Recording the outcome may take long (the database is slow: why beats failed): no kill for that.
      taskSettled = true;
      if (fenced) clearTimeout(killTimer);
    } else if (command.type === 'stop') {
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
