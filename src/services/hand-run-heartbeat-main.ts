/**
 * Entry of a hand run's heartbeat thread: a `worker_threads` Worker that startHandRunHeartbeat
 * starts from dist/. It writes the LocalTaskJob's heartbeat (heartbeatJob) every `intervalMs`
 * through a connection of its own, so a task that blocks the `tasks run` process's event loop
 * (a CPU-bound FunctionOperator runs on it) does not silence the beat: a scheduler on another host
 * would otherwise find the job gone and run a second try while this one still runs.
 *
 * The beat is this machine's wall clock, as every scheduler's and worker's heartbeat is. Errors
 * go to the main thread as messages (it logs them); this thread writes nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { errorMessage } from '../core/errors';
import { openDatabase } from '../db/data-source';
import { heartbeatJob } from '../db/transitions/job-transitions';
import type {
  HeartbeatThreadCommand,
  HeartbeatThreadData,
  HeartbeatThreadMessage,
} from './hand-run-heartbeat-protocol';

const data = workerData as HeartbeatThreadData;

function send(message: HeartbeatThreadMessage): void {
  parentPort?.postMessage(message);
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
  // One beat at a time: a beat still waiting (for a lock, a slow server) skips the next tick.
  let beating: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (beating) return;
    beating = heartbeatJob(ds, data.jobId, new Date())
      .catch((err: unknown) => send({ type: 'beat-failed', message: errorMessage(err) }))
      .finally(() => {
        beating = null;
      });
  }, data.intervalMs);
  parentPort?.on('message', (command: HeartbeatThreadCommand) => {
    if (command.type !== 'stop') return;
    clearInterval(timer);
    void (async () => {
      await beating;
      await ds.destroy().catch(() => undefined);
      send({ type: 'stopped' });
      parentPort?.close();
    })();
  });
  send({ type: 'ready' });
}

void main();
