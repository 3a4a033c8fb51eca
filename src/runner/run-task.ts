import os from 'node:os';
import { format } from 'node:util';
import type { TaskConnection, TaskContext, TaskLogger } from '../authoring/task-context';
import { errorMessage } from '../core/errors';
import { MaskingLineBuffer } from '../core/masking-line-buffer';
import { SecretsMasker } from '../core/secrets-masker';
import { describeTi } from '../core/task-instance-key';
import { signalOf } from '../core/task-signals';
import type { TaskOutcome, TaskWorkload } from '../core/executor';
import { taskLogPath } from '../logging/task-log-path';
import { TaskLogWriter } from '../logging/task-log-writer';
import { OutputMode, captureProcessOutput } from './capture-process-output';
import { DagFileCache } from './dag-file-cache';
import { mapLengthsOf, operatorForMapIndex } from './expand-map-index';
import { defaultDagFileLoader } from './default-dag-file-loader';
import { formatDurationMs } from './format-duration-ms';
import {
  connectionIdsInTemplates,
  renderTemplatedFields,
  rendersUnchanged,
  templatesMentionPrevSuccess,
  templatesMentionVariables,
} from './render-templates';
import type { RunnerDag, RunnerOperator } from './runner-dag';
import { buildTemplateContext, type TemplateConnection } from './template-context';
import { TaskSecrets } from './task-secrets';
import { airflowIso, dsOf } from './template-date';
import type { VariableSource } from './variable-source';
import { triggeringTaskRef } from '../core/cross-dag';
import { storeXComs } from './xcom-values';
import type { XComBackend } from './xcom/xcom-backend';
import { DEFAULT_XCOM_SETTINGS, type XComSettings } from './xcom/xcom-settings';

export interface RunTaskOptions {
  /** `logging.base_log_folder`. */
  baseLogFolder: string;
  /** `logging.task_log_max_bytes`. */
  logMaxBytes: number;
  /** Supplies variables and connections not set in the environment; asked only for what the try reads. */
  variables?: VariableSource;
  /** What happens to process.stdout/stderr during the try (default 'redirect'). */
  output?: OutputMode;
  /** Aborts the try from outside (shutdown, a fatal error in the task process). */
  signal?: AbortSignal;
  /** Loaded DAG files, shared by the tries of a warm process (default: one per process). */
  dagCache?: DagFileCache;
  /** After an abort, how long to wait for the task to stop before reporting anyway (default 2s). */
  settleGraceMs?: number;
  /** The log file could not be written. */
  onLogError?: (err: Error) => void;
  /** `core.dag_run_conf_overrides_params` (default true): conf merged over the DAG's params. */
  confOverridesParams?: boolean;
  /**
   * `tasks test -t`: params for this try alone, merged over the DAG's and the task's params and
   * under the conf (Airflow's `task.params.update()`); checked against their schemas by the caller.
   */
  taskParams?: Record<string, unknown>;
  /** The task's execute() is about to begin (its execution timeout counts from here). */
  onExecute?: () => void;
  /** `core.xcom_backend` and `core.max_xcom_size` (default: the database, 1 MiB). */
  xcom?: XComSettings;
  /** `core.sensitive_var_conn_names`, split: more words that make a variable or extra field secret. */
  sensitiveWords?: readonly string[];
  /** Also gets every line of the try's log as written, masked (`dagctl dags test` prints them). */
  onLogText?: (text: string) => void;
}

export interface TaskTryResult {
  outcome: TaskOutcome;
  logPath: string;
  /** The task ignored its abort and may still be running: its process must not be reused. */
  stillRunning: boolean;
  /**
   * The outer abort signal stopped the task (the try failed for that alone). False when the task
   * ended on its own — also when the signal fired only after that — or its execution timeout hit.
   */
  stopped: boolean;
}

let sharedDagCache: DagFileCache | null = null;

/** The per-process DAG file cache used when RunTaskOptions.dagCache is not given. */
export function processDagCache(): DagFileCache {
  sharedDagCache ??= new DagFileCache(defaultDagFileLoader);
  return sharedDagCache;
}

/** Run ONE try of a task instance and report its outcome; never throws for task problems. */
export async function runTask(workload: TaskWorkload, options: RunTaskOptions): Promise<TaskOutcome> {
  return (await runTaskTry(workload, options)).outcome;
}

/** A failure with a one-line reason meant for the outcome (the stack, if any, goes to the log). */
class TryFailure extends Error {
  constructor(
    reason: string,
    readonly noRetry = false,
  ) {
    super(reason);
  }
}

const firstLine = (text: string): string =>
  text
    .split('\n')
    .find((line) => line.trim() !== '')
    ?.trim() ?? text.trim();

/** Like runTask, plus the log path and whether the task is still running after an abort. */
export async function runTaskTry(workload: TaskWorkload, options: RunTaskOptions): Promise<TaskTryResult> {
  const startedAt = Date.now();
  const logPath = taskLogPath(options.baseLogFolder, workload.key, workload.tryNumber);
  const writer = new TaskLogWriter(logPath, { maxBytes: options.logMaxBytes, onError: options.onLogError });
  // Every line of the log passes the try's masker; task output is held until its line is complete.
  const masker = new SecretsMasker();
  const output = new MaskingLineBuffer(masker, (text) => {
    writer.write(text);
    options.onLogText?.(text);
  });
  const logLine = (level: string, text: string): void =>
    output.write(`[${new Date().toISOString()}] ${level} - ${text}\n`);
  const systemLine = (level: string, text: string): void => {
    output.flush();
    const line = masker.mask(`[${new Date().toISOString()}] ${level} - ${text}`);
    writer.writeSystem(line);
    options.onLogText?.(`${line}\n`);
  };

  systemLine(
    'INFO',
    `Starting attempt ${workload.tryNumber} of ${Math.max(workload.maxTries + 1, workload.tryNumber)} ` +
      `for ${describeTi(workload.key)} (pid ${process.pid} on ${os.hostname()})`,
  );
  // 'tee' (`dagctl tasks test`) shows the task's output on the terminal masked as well.
  const mode = options.output ?? 'redirect';
  const terminalWrite = process.stdout.write.bind(process.stdout);
  const terminal = mode === 'tee' ? new MaskingLineBuffer(masker, (text) => terminalWrite(text)) : null;
  const restoreOutput = captureProcessOutput(
    (chunk) => {
      output.write(chunk);
      terminal?.write(chunk);
    },
    mode === 'tee' ? 'redirect' : mode,
  );
  let outcome: TaskOutcome;
  let stillRunning = false;
  let stopped = false;
  try {
    const attempt = await attemptTry(workload, options, logLine, masker);
    outcome = attempt.outcome;
    stillRunning = attempt.stillRunning;
    stopped = attempt.stopped;
  } catch (err) {
    outcome = { state: 'failed', reason: firstLine(errorMessage(err)) };
    if (err instanceof TryFailure) outcome.noRetry = err.noRetry || undefined;
    else logLine('ERROR', `Task failed: ${(err as Error)?.stack ?? String(err)}`);
  } finally {
    restoreOutput();
    output.flush();
    terminal?.flush();
  }
  // The outcome is stored and shown: its reason and fields never hold a secret in clear.
  outcome = maskOutcome(outcome, masker, options.sensitiveWords);
  const took = formatDurationMs(Date.now() - startedAt);
  if (outcome.state === 'success') systemLine('INFO', `Task finished: success (took ${took})`);
  else
    systemLine(
      outcome.state === 'failed' ? 'ERROR' : 'INFO',
      `Task finished: ${outcome.state}${outcome.reason ? ` - ${outcome.reason}` : ''}` +
        `${outcome.noRetry ? ' (no retry)' : ''} (took ${took})`,
    );
  writer.close();
  return { outcome, logPath, stillRunning, stopped };
}

async function findTask(workload: TaskWorkload, cache: DagFileCache): Promise<{ dag: RunnerDag; op: RunnerOperator }> {
  const { dagId, taskId } = workload.key;
  let dags: RunnerDag[];
  try {
    dags = await cache.load(workload.fileloc);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') {
      throw new TryFailure(`DAG file ${workload.fileloc} of DAG '${dagId}' no longer exists`, true);
    }
    throw new TryFailure(firstLine(errorMessage(err)));
  }
  const dag = dags.find((candidate) => candidate.dagId === dagId);
  if (!dag) throw new TryFailure(`DAG '${dagId}' no longer exists in file ${workload.fileloc}`, true);
  const op = dag.tasks.get(taskId);
  if (!op) throw new TryFailure(`task '${taskId}' no longer exists in DAG '${dagId}' (file ${workload.fileloc})`, true);
  return { dag, op };
}

async function attemptTry(
  workload: TaskWorkload,
  options: RunTaskOptions,
  logLine: (level: string, text: string) => void,
  masker: SecretsMasker,
): Promise<Omit<TaskTryResult, 'logPath'>> {
  const found = await findTask(workload, options.dagCache ?? processDagCache());
  const { dag } = found;
  // dag.params holds the params' default values (param() declarations are resolved when the file loads);
  // the conf was checked against their schemas when the run was triggered.
  const conf = options.confOverridesParams === false ? {} : (workload.conf ?? {});
  const params: Record<string, unknown> = {
    ...(dag.params ?? {}),
    ...(found.op.params ?? {}),
    ...(options.taskParams ?? {}),
    ...conf,
  };
  const xcom = options.xcom ?? DEFAULT_XCOM_SETTINGS;
  // The try starts without what earlier tries left in the backend (the scheduler cleared the rows).
  xcom.backend.clearTry(workload.key);
  const xcomPull = (taskId: string, key = 'return_value'): unknown =>
    loadXCom(xcom.backend, workload.xcoms?.[taskId]?.[key]);
  // A mapped task's map index runs with its own elements in the expanded options.
  let op: RunnerOperator;
  try {
    op = operatorForMapIndex(dag.dagId, found.op, workload.key.mapIndex, xcomPull);
  } catch (err) {
    throw new TryFailure(firstLine(errorMessage(err)));
  }

  // Render templated fields.
  const fields: Record<string, unknown> = {};
  for (const field of op.templateFields ?? []) fields[field] = (op as unknown as Record<string, unknown>)[field];
  const secrets = new TaskSecrets(options.variables, process.env, masker, options.sensitiveWords);
  // Most tasks have nothing to render (no template, nothing mutable): they skip the context build.
  // Each try still runs on its own copy of the operator (state a task sets stays in its try).
  let renderedFields = fields;
  if (!rendersUnchanged(Object.values(fields)))
    renderedFields = await renderFields({ workload, dag, fields, params, xcomPull, secrets });
  const runnable = Object.keys(fields).length > 0 ? op.withRenderedFields(renderedFields) : op;
  renderedFields = jsonCopy(renderedFields);

  // Execute with the execution timeout and the outer abort signal.
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason ?? new Error('task aborted'));
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  const timeoutMs = workload.executionTimeoutMs;
  const timer =
    timeoutMs !== null && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`execution timeout after ${formatDurationMs(timeoutMs)}`));
        }, timeoutMs)
      : null;

  options.onExecute?.();
  const pushed: Record<string, unknown> = {};
  const ctx = buildTaskContext(workload, params, xcomPull, pushed, logLine, controller.signal, secrets);
  const result = await (async (): Promise<Omit<TaskTryResult, 'logPath'>> => {
    let settled = false;
    const execution = Promise.resolve()
      .then(() => {
        // Stopped before it started (an abort while the DAG file loaded): the task must not run at all.
        if (controller.signal.aborted) throw controller.signal.reason;
        return runExecuteCallback(op, ctx, logLine);
      })
      .then(() => runnable.execute(ctx))
      .finally(() => {
        settled = true;
      });
    const aborted = new Promise<never>((_, reject) => {
      // The abort reason itself (whatever the outer signal carried): the catch below recognises it by identity.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      const abort = (): void => reject(controller.signal.reason);
      // An abort that came before this listener (the outer signal fired early) fires no event.
      if (controller.signal.aborted) abort();
      else controller.signal.addEventListener('abort', abort, { once: true });
    });
    aborted.catch(() => undefined);

    let value: unknown;
    try {
      value = await Promise.race([execution, aborted]);
    } catch (err) {
      if (controller.signal.aborted && err === controller.signal.reason) {
        const reason = firstLine(errorMessage(err));
        logLine('ERROR', timedOut ? `Task timed out: ${reason}; stopping it` : `Task aborted: ${reason}`);
        // Give the task (e.g. a bash process group being killed) a moment to stop.
        const grace = options.settleGraceMs ?? 2000;
        await Promise.race([
          execution.catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, grace).unref()),
        ]);
        return { outcome: { state: 'failed', reason, renderedFields }, stillRunning: !settled, stopped: !timedOut };
      }
      return { outcome: { ...outcomeForError(err, logLine), renderedFields }, stillRunning: false, stopped: false };
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }

    let partial: Partial<TaskOutcome>;
    let xcoms: Record<string, unknown>;
    let mapLengths: Record<string, number>;
    try {
      partial = runnable.toOutcome(value) ?? {};
      // XComs are masked as they are written (README "Masking secrets"): the stored row, what
      // downstream tasks pull and what every user sees are the same, and no table holds a secret.
      const values = { ...pushed, ...(partial.xcoms ?? {}) };
      mapLengths = mapLengthsOf(dag, op.taskId, values);
      xcoms = storeXComs(workload.key, values, xcom, (value) => masker.maskValue(value, null));
    } catch (err) {
      logLine('ERROR', (err as Error)?.stack ?? String(err));
      return {
        outcome: { state: 'failed', reason: firstLine(errorMessage(err)), renderedFields },
        stillRunning: false,
        stopped: false,
      };
    }
    const outcome: TaskOutcome = { ...partial, state: partial.state ?? 'success', renderedFields };
    if (Object.keys(xcoms).length > 0) outcome.xcoms = xcoms;
    else delete outcome.xcoms;
    if (Object.keys(mapLengths).length > 0) outcome.mapLengths = mapLengths;
    return { outcome, stillRunning: false, stopped: false };
  })();
  await runCallbacks(op, ctx, workload, result.outcome, logLine);
  return result;
}

/** What a render needs besides the fields: the try, its DAG, params and where values come from. */
interface RenderInput {
  workload: TaskWorkload;
  dag: RunnerDag;
  fields: Record<string, unknown>;
  params: Record<string, unknown>;
  xcomPull: (taskId: string, key?: string) => unknown;
  secrets: TaskSecrets;
}

/** Render a task's templated fields; variables and connections are read only when mentioned. */
async function renderFields(input: RenderInput): Promise<Record<string, unknown>> {
  const { secrets, fields } = input;
  let variables: ((key: string) => string | undefined) | null = null;
  if (templatesMentionVariables(Object.values(fields))) {
    try {
      variables = await secrets.allVariables();
    } catch (err) {
      throw new TryFailure(`cannot read variables: ${firstLine(errorMessage(err))}`);
    }
  }
  // Rendering is synchronous: the connections the templates name are loaded first (env, then the source).
  const connections = new Map<string, TemplateConnection>();
  for (const connId of connectionIdsInTemplates(Object.values(fields))) {
    try {
      connections.set(connId, templateConnection(await secrets.connection(connId)));
    } catch (err) {
      throw new TryFailure(firstLine(errorMessage(err)));
    }
  }
  // A workload from the scheduler leaves prevSuccess out: only a try whose templates name a
  // prev_*_success value asks for it (Airflow reads it in the task's process too).
  let { workload } = input;
  if (workload.prevSuccess === undefined && templatesMentionPrevSuccess(Object.values(fields))) {
    try {
      workload = { ...workload, prevSuccess: await secrets.prevSuccess(workload.key, workload.logicalDate) };
    } catch (err) {
      throw new TryFailure(`cannot read the previous successful run: ${firstLine(errorMessage(err))}`);
    }
  }
  const undefinedNames = input.dag.templateUndefined === 'empty' ? 'empty' : 'strict';
  const context = buildTemplateContext({
    ...input,
    workload,
    variables,
    connections: (connId) => connections.get(connId),
    undefinedNames,
  });
  try {
    return renderTemplatedFields(fields, context, undefinedNames);
  } catch (err) {
    throw new TryFailure(firstLine(errorMessage(err)));
  }
}

/** Airflow's Connection attributes as templates see them (`conn.<id>.host`, `.extra_dejson`, `.get_uri()`). */
function templateConnection(conn: TaskConnection): TemplateConnection {
  return {
    conn_id: conn.connId,
    conn_type: conn.connType,
    host: conn.host,
    port: conn.port,
    login: conn.login,
    password: conn.password,
    schema: conn.schema,
    extra: JSON.stringify(conn.extra),
    extra_dejson: conn.extra,
    get_uri: () => conn.uri,
  };
}

/**
 * `dagctl tasks render`: load the task's DAG file and render its templated fields for this
 * workload, without running anything. Throws an Error with a one-line reason.
 */
export async function renderTaskTemplates(
  workload: TaskWorkload,
  options: Pick<RunTaskOptions, 'variables' | 'dagCache' | 'xcom' | 'sensitiveWords'>,
): Promise<Record<string, unknown>> {
  const found = await findTask(workload, options.dagCache ?? processDagCache());
  const { dag } = found;
  const params: Record<string, unknown> = {
    ...(dag.params ?? {}),
    ...(found.op.params ?? {}),
    ...(workload.conf ?? {}),
  };
  const xcom = options.xcom ?? DEFAULT_XCOM_SETTINGS;
  const xcomPull = (taskId: string, key = 'return_value'): unknown =>
    loadXCom(xcom.backend, workload.xcoms?.[taskId]?.[key]);
  const op = operatorForMapIndex(dag.dagId, found.op, workload.key.mapIndex, xcomPull);
  const fields: Record<string, unknown> = {};
  for (const field of op.templateFields ?? []) fields[field] = (op as unknown as Record<string, unknown>)[field];
  const secrets = new TaskSecrets(options.variables, process.env, new SecretsMasker(), options.sensitiveWords);
  const rendered = jsonCopy(await renderFields({ workload, dag, fields, params, xcomPull, secrets }));
  return secrets.masker.maskValue(rendered, options.sensitiveWords) as Record<string, unknown>;
}

/**
 * onExecuteCallback: just before execute, in this (the task's) process; a failing one is logged
 * and ignored, as in Airflow.
 */
async function runExecuteCallback(
  op: RunnerOperator,
  ctx: TaskContext,
  logLine: (level: string, text: string) => void,
): Promise<void> {
  if (typeof op.onExecuteCallback !== 'function') return;
  try {
    await op.onExecuteCallback(ctx);
  } catch (err) {
    logLine('ERROR', `onExecuteCallback failed: ${(err as Error)?.stack ?? String(err)}`);
  }
}

/**
 * Task callbacks run here, in the task's own process (the scheduler never runs user code):
 * onSuccessCallback after success; onRetryCallback when a failed try will be retried;
 * onFailureCallback when it will not. A failing callback is logged and changes nothing.
 */
async function runCallbacks(
  op: RunnerOperator,
  ctx: TaskContext,
  workload: TaskWorkload,
  outcome: TaskOutcome,
  logLine: (level: string, text: string) => void,
): Promise<void> {
  let callback: RunnerOperator['onSuccessCallback'] = null;
  let name = '';
  if (outcome.state === 'success') [callback, name] = [op.onSuccessCallback ?? null, 'onSuccessCallback'];
  else if (outcome.state === 'failed') {
    const willRetry = !outcome.noRetry && workload.tryNumber <= workload.maxTries;
    [callback, name] = willRetry
      ? [op.onRetryCallback ?? null, 'onRetryCallback']
      : [op.onFailureCallback ?? null, 'onFailureCallback'];
  }
  if (typeof callback !== 'function') return;
  try {
    await callback(ctx, outcome.state === 'failed' ? new Error(outcome.reason ?? 'task failed') : undefined);
  } catch (err) {
    logLine('ERROR', `${name} failed: ${(err as Error)?.stack ?? String(err)}`);
  }
}

/** The outcome as stored and shown: reason and rendered fields masked (XComs were masked at write). */
function maskOutcome(outcome: TaskOutcome, masker: SecretsMasker, words: readonly string[] = []): TaskOutcome {
  if (masker.size === 0 && !outcome.renderedFields) return outcome;
  const masked: TaskOutcome = { ...outcome };
  if (masked.reason !== undefined) masked.reason = masker.mask(masked.reason);
  if (masked.renderedFields)
    masked.renderedFields = masker.maskValue(masked.renderedFields, words) as Record<string, unknown>;
  return masked;
}

/** A pulled row's content as the value pushed; a mapped task's list item by item. */
function loadXCom(backend: XComBackend, stored: unknown): unknown {
  if (stored === undefined) return undefined;
  const value = backend.load(stored);
  return value === stored && Array.isArray(stored) ? stored.map((item) => backend.load(item)) : value;
}

/** Rendered fields are shown in the UI and cross processes: keep their JSON form only. */
function jsonCopy(values: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(values) ?? '{}') as Record<string, unknown>;
  } catch {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  }
}

function outcomeForError(err: unknown, logLine: (level: string, text: string) => void): TaskOutcome {
  const message = firstLine(errorMessage(err)) || 'task failed';
  switch (signalOf(err)) {
    case 'skip':
      logLine('INFO', `Task skipped: ${message}`);
      return { state: 'skipped', reason: message };
    case 'reschedule': {
      const at = new Date((err as { rescheduleAt?: Date | string }).rescheduleAt ?? Date.now());
      logLine('INFO', `Rescheduling task to ${at.toISOString()}: ${message}`);
      return { state: 'up_for_reschedule', reason: message, rescheduleAt: at.toISOString() };
    }
    case 'fail-no-retry':
      logLine('ERROR', `Task failed without retry: ${message}`);
      return { state: 'failed', reason: message, noRetry: true };
    default:
      logLine('ERROR', `Task failed: ${(err as Error)?.stack ?? String(err)}`);
      return { state: 'failed', reason: message };
  }
}

function buildTaskContext(
  workload: TaskWorkload,
  params: Record<string, unknown>,
  xcomPull: (taskId: string, key?: string) => unknown,
  pushed: Record<string, unknown>,
  logLine: (level: string, text: string) => void,
  signal: AbortSignal,
  secrets: TaskSecrets,
): TaskContext {
  const { key } = workload;
  const logicalDate = new Date(workload.logicalDate);
  const log: TaskLogger = {
    info: (message, ...args) => logLine('INFO', format(message, ...args)),
    warn: (message, ...args) => logLine('WARNING', format(message, ...args)),
    error: (message, ...args) => logLine('ERROR', format(message, ...args)),
    debug: (message, ...args) => logLine('DEBUG', format(message, ...args)),
  };
  return {
    dagId: key.dagId,
    taskId: key.taskId,
    runId: key.runId,
    mapIndex: key.mapIndex,
    tryNumber: workload.tryNumber,
    maxTries: workload.maxTries,
    logicalDate,
    ds: dsOf(logicalDate),
    ts: airflowIso(logicalDate),
    dataIntervalStart: workload.dataIntervalStart ? new Date(workload.dataIntervalStart) : null,
    dataIntervalEnd: workload.dataIntervalEnd ? new Date(workload.dataIntervalEnd) : null,
    params,
    dagRun: { runId: key.runId, runType: workload.runType, conf: workload.conf ?? {}, logicalDate },
    xcomPull: <T>(taskId: string, xcomKey?: string) => xcomPull(taskId, xcomKey) as T | undefined,
    xcomPush: (xcomKey: string, value: unknown) => {
      pushed[xcomKey] = value;
    },
    log,
    variables: secrets.variables(),
    connection: (connId: string) => secrets.connection(String(connId)),
    maskSecret: (value: unknown) => secrets.masker.add(value),
    signal,
    firstRescheduleDate: workload.firstRescheduleDate ? new Date(workload.firstRescheduleDate) : null,
    triggeringDatasetEvents: workload.triggeringDatasetEvents ?? [],
    externalRun: (query) => secrets.externalRun(query),
    triggerDagRun: (request) =>
      secrets.triggerDagRun({ ...request, triggeredByTask: triggeringTaskRef(key.dagId, key.runId, key.taskId) }),
  };
}
