import os from 'node:os';
import type { AppContext } from '../app/app-context';
import { UserError, errorMessage } from '../core/errors';
import { TaskState, TaskStateOrNone } from '../core/states';
import { describeTi, TaskInstanceKey } from '../core/task-instance-key';
import { TaskInstanceEntity } from '../db/entities';
import { runInTransaction } from '../db/transaction';
import { claimTryByHand } from '../db/transitions/claim-try-by-hand';
import { createTaskInstances } from '../db/transitions/task-instance-transitions';
import type { TaskOutcome, TaskWorkload } from '../core/executor';
import { runTaskTry } from '../runner/run-task';
import { DatabaseVariableSource } from '../runner/variable-source';
import { DagViewCache } from '../scheduler/dag-view-cache';
import { processExecutorEvents } from '../scheduler/process-executor-events';
import { computePriorityWeights } from '../scheduler/priority-weights';
import { buildTaskWorkload } from '../executors/build-task-workload';
import { readSerializedDag } from '../db/reads/read-serialized-dag';
import { xcomSettingsFromConfig } from '../runner/xcom/xcom-settings';
import { extraSensitiveWords } from '../core/sensitive-names';
import { HandRunJob, startHandRunJob } from './hand-run-job';
import { killProcessTree } from '../runner/kill-process-tree';
import { BASH_KILL_GRACE_MS } from '../authoring/operators/bash-operator';
import { HandRunStopped } from './hand-run-stopped';

/** States from which a task instance may be run by hand; `force` adds the finished ones. */
const RUNNABLE: TaskStateOrNone[] = [
  null,
  TaskState.SCHEDULED,
  TaskState.QUEUED,
  TaskState.UP_FOR_RETRY,
  TaskState.UP_FOR_RESCHEDULE,
];
const FINISHED: TaskStateOrNone[] = [
  TaskState.SUCCESS,
  TaskState.FAILED,
  TaskState.SKIPPED,
  TaskState.UPSTREAM_FAILED,
  TaskState.REMOVED,
];

export interface RunTaskInstanceInput {
  key: TaskInstanceKey;
  /** The try to run; default: the try the scheduler queued, else the next one. */
  tryNumber?: number;
  /** Run even if the task instance already finished (Airflow's `--force`). */
  force?: boolean;
  /** Also print the task's output on this terminal (it always goes to the attempt's log). */
  tee?: boolean;
  /**
   * Stops the hand run from outside (the CLI's SIGINT/SIGTERM): the try is aborted (its
   * subprocesses killed) and its outcome recorded. A HandRunStopped reason gives the exit code.
   */
  signal?: AbortSignal;
}

export interface RunTaskInstanceResult {
  tryNumber: number;
  outcome: TaskOutcome;
  /** The state recorded for the task instance after the try. */
  state: TaskStateOrNone;
}

/**
 * A run the scheduler has not started yet has no task instances: create this one (insert-or-ignore,
 * as the scheduler would), so a task of a queued run can be run by hand.
 */
async function createMissingTaskInstance(ctx: AppContext, key: TaskInstanceKey): Promise<TaskInstanceEntity | null> {
  const stored = await readSerializedDag(ctx.dataSource, key.dagId);
  const task = stored?.dag.tasks.find((t) => t.taskId === key.taskId);
  if (!stored || !task || key.mapIndex !== -1) return null;
  const priority = computePriorityWeights(stored.dag.tasks).get(task.taskId) ?? task.priorityWeight;
  await runInTransaction(ctx.dataSource, (m) =>
    createTaskInstances(
      m,
      { dagId: key.dagId, runId: key.runId },
      [{ ...task, effectivePriority: priority }],
      ctx.clock.now(),
    ),
  );
  return ctx.dataSource.getRepository(TaskInstanceEntity).findOneBy({ ...key });
}

/**
 * `dagctl tasks run`: claim the task instance for one try (a guarded move to 'running'), run it
 * in this process, and record its outcome exactly as the scheduler does for executor events
 * (retries, XComs, branch skipping), through the same guarded transitions.
 *
 * The hand run is a LocalTaskJob (startHandRunJob) that the claim names and that heartbeats while
 * the try runs: if this process dies (SIGKILL, OOM, its machine), a scheduler finds the job gone
 * and ends the try as lost to the platform (resetOrphanedTasks), rather than leaving it running
 * with no one to end it. The job ends `success` once the outcome is recorded — whatever the
 * task's outcome: the hand run ended cleanly — and `failed` when an error stops it first.
 *
 * Two tries of one task must never overlap: once a scheduler took the hand run for dead (or soon
 * will: its heartbeat failed too long), the heartbeat thread fences it and the try is aborted at
 * once; the outcome is then recorded as usual (the guarded transitions refuse it when the scheduler
 * already ended the try) and a UserError says the hand run was stopped. The same happens when
 * `input.signal` fires (the CLI's SIGINT/SIGTERM).
 */
export async function runTaskInstance(ctx: AppContext, input: RunTaskInstanceInput): Promise<RunTaskInstanceResult> {
  const ds = ctx.dataSource;
  const { key } = input;
  let ti = await ds.getRepository(TaskInstanceEntity).findOneBy({ ...key });
  if (!ti) ti = await createMissingTaskInstance(ctx, key);
  const tryNumber = input.tryNumber ?? (ti && ti.state === TaskState.QUEUED ? ti.tryNumber : (ti?.tryNumber ?? 0) + 1);
  const workload = await buildTaskWorkload(ds, key, tryNumber);

  const stop = new AbortController();
  const fenced = (reason: string): void => stop.abort(new HandRunStopped(reason, 1));
  const onSignal = (): void => stop.abort(input.signal?.reason);
  const job = await startHandRunJob(ctx, fenced);
  if (input.signal?.aborted) onSignal();
  else input.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    if (stop.signal.aborted) {
      await job.end('success');
      throw stoppedError(key, tryNumber, stop.signal, 'nothing was run');
    }
    const from = input.force ? [...RUNNABLE, ...FINISHED] : RUNNABLE;
    const claim = { key, tryNumber, from, hostname: os.hostname(), pid: process.pid, jobId: job.id };
    if (!(await claimTryByHand(ds, claim, ctx.clock.now()))) {
      // Nothing ran: the job ended cleanly (as Airflow's LocalTaskJob does when its task cannot start).
      await job.end('success');
      const current = await ds.getRepository(TaskInstanceEntity).findOneBy({ ...key });
      throw new UserError(
        `cannot run ${describeTi(key)}: it is ${current?.state ?? 'gone'}` +
          (input.force ? '' : ' (clear it first, or pass --force)'),
      );
    }
    job.claimed(key, tryNumber);
    const { result, stoppedMidTry } = await runClaimedTry(ctx, workload, input.tee === true, stop.signal, job);
    // Only once the outcome is recorded: a job that ended while its try still looks running is gone.
    await job.end('success');
    if (stoppedMidTry)
      throw stoppedError(key, tryNumber, stop.signal, `its task instance is now ${result.state ?? 'gone'}`);
    return result;
  } finally {
    input.signal?.removeEventListener('abort', onSignal);
    // An error stopped the hand run before its outcome was recorded (a no-op once it ended).
    await job.end('failed');
  }
}

/** The one line the CLI prints for a hand run stopped from outside its task, and its exit code. */
function stoppedError(key: TaskInstanceKey, tryNumber: number, signal: AbortSignal, after: string): UserError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason);
  const line = `the hand run of ${describeTi(key, tryNumber)} was stopped (${why}); ${after}`;
  return new UserError(line, reason instanceof HandRunStopped ? reason.exitCode : 1);
}

/** Runs a try claimed by hand in this process and records its outcome as the scheduler would. */
async function runClaimedTry(
  ctx: AppContext,
  workload: TaskWorkload,
  tee: boolean,
  signal: AbortSignal,
  job: HandRunJob,
): Promise<{ result: RunTaskInstanceResult; stoppedMidTry: boolean }> {
  const ds = ctx.dataSource;
  const { key, tryNumber } = workload;
  const { outcome, stopped, stillRunning } = await runTaskTry(workload, {
    baseLogFolder: ctx.config.logging.base_log_folder,
    logMaxBytes: ctx.config.logging.task_log_max_bytes,
    confOverridesParams: ctx.config.core.dag_run_conf_overrides_params,
    sensitiveWords: extraSensitiveWords(ctx.config.core.sensitive_var_conn_names),
    xcom: xcomSettingsFromConfig(ctx.config),
    variables: new DatabaseVariableSource(async () => ds),
    output: tee ? 'tee' : 'redirect',
    // Kills the task's subprocesses (a BashOperator's process group) when the hand run is stopped.
    signal,
    // A stopped command that ignores SIGTERM gets SIGKILL after the BashOperator's grace: wait for
    // that before recording the outcome and exiting, or it would go on beside the next try.
    settleGraceMs: BASH_KILL_GRACE_MS + 2000,
  });
  // A task that ignored its abort or timeout: what it started must not go on beside the next try
  // (its own code may; the heartbeat thread kills the process if it blocks the loop once fenced).
  if (stillRunning) killProcessTree(process.pid, 'SIGKILL', { includeRoot: false });
  else job.settled();
  try {
    await processExecutorEvents(ds, new DagViewCache(ds), [
      { type: 'finished', key, tryNumber, at: ctx.clock.now().toISOString(), outcome },
    ]);
  } catch (err) {
    // Fenced because the database is unreachable: say why the hand run stopped, not only the error.
    if (stopped) throw stoppedError(key, tryNumber, signal, `its outcome could not be recorded (${errorMessage(err)})`);
    throw err;
  }
  const after = await ds.getRepository(TaskInstanceEntity).findOneBy({ ...key });
  // `stopped` only when the abort stopped the task: one that came after the task ended (during its
  // settle, or the recording above) stopped nothing, and the outcome stands.
  return { result: { tryNumber, outcome, state: after?.state ?? null }, stoppedMidTry: stopped };
}
