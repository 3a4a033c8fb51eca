/**
 * Entry of a task process: forked (from dist/) with an IPC channel by TaskProcessPool. Loads the
 * SDK once (imported below through run-task), then serves `run` requests one at a time, so later
 * tries skip process start-up and re-use already imported DAG files. Never writes task state: it
 * only reports outcomes.
 */
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import type { TaskWorkload } from '../core/executor';
import { killProcessTree } from './kill-process-tree';
import { processDagCache, runTaskTry } from './run-task';
import type { ChildToParentMessage } from './task-process-protocol';
import { isParentToChildMessage } from './task-process-protocol';
import { requestingVariableSource } from './secret-lookup';
import { DatabaseVariableSource, VariableSource } from './variable-source';
import { xcomSettingsFromConfig } from './xcom/xcom-settings';
import { extraSensitiveWords } from '../core/sensitive-names';

const IDLE_TITLE = 'dagctl task-runner (idle)';

const config = loadConfig(process.env);
let dataSource: Promise<DataSource> | null = null;
/** The metadata DB, opened on the first variable or connection read only (TypeORM is slow to load). */
function openMetadataDatabase(): Promise<DataSource> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openDatabase } = require('../db/data-source') as typeof import('../db/data-source');
  return openDatabase(config.database.url, { poolSize: 1, fernetKey: config.core.fernet_key });
}
const databaseVariables = new DatabaseVariableSource(
  () => (dataSource ??= openMetadataDatabase()),
  config.core.dag_run_conf_overrides_params,
);

let nextRequestId = 1;
const pendingLookups = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
const parentVariables: VariableSource = requestingVariableSource(
  (lookup) =>
    new Promise((resolve, reject) => {
      const requestId = nextRequestId++;
      pendingLookups.set(requestId, { resolve, reject });
      send({ type: 'secret-request', requestId, lookup });
    }),
);

let running: AbortController | null = null;
let shuttingDown = false;
let mustRecycle = false;

function send(message: ChildToParentMessage, then?: () => void): void {
  if (!process.connected || !process.send) {
    then?.();
    return;
  }
  process.send(message, undefined, {}, () => then?.());
}

/** Ends the process; callers void it (closing the DB is the only await, and its failure is ignored). */
async function exitSoon(code: number): Promise<never> {
  // A task that ignored its abort may have left subprocesses (in their own process groups).
  killProcessTree(process.pid, 'SIGKILL', { includeRoot: false });
  if (dataSource) await dataSource.then((ds) => ds.destroy()).catch(() => undefined);
  process.exit(code);
}

async function run(workload: TaskWorkload, variablesFromParent: boolean, reportStarted: boolean): Promise<void> {
  const { key, tryNumber } = workload;
  running = new AbortController();
  process.title = `dagctl tasks run ${key.dagId} ${key.taskId} ${key.runId} --try ${tryNumber}`;
  if (reportStarted) send({ type: 'started', pid: process.pid });
  // Only the parent's execution-timeout timer needs to know when execute() begins.
  const hasTimeout = workload.executionTimeoutMs !== null && workload.executionTimeoutMs > 0;
  const result = await runTaskTry(workload, {
    baseLogFolder: config.logging.base_log_folder,
    logMaxBytes: config.logging.task_log_max_bytes,
    confOverridesParams: config.core.dag_run_conf_overrides_params,
    sensitiveWords: extraSensitiveWords(config.core.sensitive_var_conn_names),
    xcom: xcomSettingsFromConfig(config),
    variables: variablesFromParent ? parentVariables : databaseVariables,
    output: 'redirect',
    signal: running.signal,
    dagCache: processDagCache(),
    onLogError: (err) => send({ type: 'log-error', message: `cannot write task log: ${err.message}` }),
    onExecute: hasTimeout ? () => send({ type: 'executing' }) : undefined,
  });
  running = null;
  process.title = IDLE_TITLE;
  const recycle = result.stillRunning || mustRecycle;
  send(
    {
      type: 'finished',
      outcome: result.outcome,
      rssBytes: process.memoryUsage.rss(),
      logPath: result.logPath,
      recycle,
    },
    () => {
      if (recycle || shuttingDown) void exitSoon(0);
    },
  );
}

function onMessage(message: unknown): void {
  if (!isParentToChildMessage(message)) return;
  switch (message.type) {
    case 'run':
      if (running) {
        // The pool never does this; refuse loudly rather than run two tries at once.
        send({ type: 'log-error', message: 'task process is busy; run request ignored' });
        return;
      }
      // runTaskTry() turns task failures into the outcome. Anything else means this runner is
      // broken: exit, and the pool reports the try lost (as an unhandled rejection, it would only
      // have aborted a try already over, leaving the parent waiting for a result).
      run(message.workload, message.variablesFromParent, message.reportStarted).catch((err: unknown) => {
        running = null;
        onFatal(err, 'task runner failed');
      });
      return;
    case 'secret': {
      const pending = pendingLookups.get(message.requestId);
      pendingLookups.delete(message.requestId);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.value ?? null);
      return;
    }
    case 'shutdown':
      shuttingDown = true;
      if (!running) void exitSoon(0);
      return;
    case 'abort':
      // The parent stops this try (and this process after it): the reason goes into the task log.
      shuttingDown = true;
      running?.abort(new Error(message.reason));
      return;
  }
}

/** A fatal error inside task code fails the current try and retires this process. */
function onFatal(err: unknown, what: string): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${what}: ${err instanceof Error ? err.stack : message}\n`);
  if (running) {
    mustRecycle = true;
    running.abort(new Error(`${what}: ${message.split('\n')[0]}`));
    return;
  }
  void exitSoon(1);
}

process.title = IDLE_TITLE;
process.on('message', onMessage);
process.on('uncaughtException', (err) => onFatal(err, 'uncaught exception'));
process.on('unhandledRejection', (reason) => onFatal(reason, 'unhandled promise rejection'));
// Someone outside dagctl sent SIGTERM: end the try cleanly (its subprocesses are killed on abort).
process.on('SIGTERM', () => {
  shuttingDown = true;
  if (running) running.abort(new Error(`task process ${process.pid} received SIGTERM`));
  else void exitSoon(0);
});
// The parent is gone: stop the task (its subprocesses are killed on abort) and leave.
process.on('disconnect', () => {
  shuttingDown = true;
  if (running) {
    running.abort(new Error('task process lost its parent'));
    setTimeout(() => void exitSoon(1), 3000).unref();
  } else {
    void exitSoon(0);
  }
});

send({ type: 'ready', pid: process.pid });
