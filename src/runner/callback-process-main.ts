/**
 * Entry of a short-lived callback process (forked from dist/ by the scheduler's callback runner):
 * imports the DAG file, runs one DAG-level callback, appends what it logs and any error to the
 * callback's log file, and exits 0 (done) or 1 (the callback threw; the error is the last stderr
 * line). User code runs here, never in the scheduler; it writes no state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors';
import { CALLBACK_JOB_ENV, DagCallbackJob, pickDagCallback } from './dag-callback-job';
import { defaultDagFileLoader } from './default-dag-file-loader';

async function main(): Promise<void> {
  const job = JSON.parse(process.env[CALLBACK_JOB_ENV] ?? '{}') as DagCallbackJob;
  delete process.env[CALLBACK_JOB_ENV];
  fs.mkdirSync(path.dirname(job.logFile), { recursive: true });
  const write = (level: string, message: string): void =>
    fs.appendFileSync(job.logFile, `[${new Date().toISOString()}] ${level} ${message}\n`);
  write('INFO', `running ${job.kind} callback of ${job.dagId} ${job.runId}`);
  try {
    const dags = await defaultDagFileLoader(job.fileloc);
    const dag = dags.find((d) => d.dagId === job.dagId);
    if (!dag) throw new Error(`DAG '${job.dagId}' is no longer in ${job.fileloc}`);
    const callback = pickDagCallback(dag, job.kind);
    if (typeof callback !== 'function') throw new Error(`DAG '${job.dagId}' has no ${job.kind} callback any more`);
    const log = { info: (m: string) => write('INFO', String(m)), error: (m: string) => write('ERROR', String(m)) };
    await (callback as (ctx: unknown) => unknown)({ ...job.context, log });
    write('INFO', 'callback done');
    process.exitCode = 0;
  } catch (err) {
    const message = errorMessage(err);
    write('ERROR', `callback failed: ${err instanceof Error && err.stack ? err.stack : message}`);
    process.stderr.write(`${message.replace(/\n/g, ' ')}\n`);
    process.exitCode = 1;
  }
  // Whatever the callback left behind (timers, sockets) must not keep the process alive.
  setImmediate(() => process.exit());
}

void main();
