import { ChildProcess, fork } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { distEntry } from '../core/dist-path';
import { errorMessage } from '../core/errors';
import { execSql } from '../db/sql';
import type { ExistsCondition } from '../db/which-exist';
import { claimCallbackRequest, finishCallbackRequest } from '../db/transitions/callback-transitions';
import { getLogger } from '../logging/logger';
import { callbackLogPath } from '../logging/task-log-path';
import { CALLBACK_JOB_ENV, DagCallbackJob } from '../runner/dag-callback-job';

const log = getLogger('scheduler');

export interface CallbackRunnerOptions {
  /** `logging.base_log_folder`: each callback appends to its own file under `callbacks/`. */
  baseLogFolder: string;
  /** Who claims requests: unique per scheduler process. */
  claimant: string;
  /** Callback processes at once. */
  maxParallel?: number;
  /** A callback still running after this is killed and recorded as failed. */
  timeoutMs?: number;
}

/** Whether a callback request waits to be claimed (what dispatch looks for). */
export const pendingCallbacks: ExistsCondition = {
  sql: `SELECT 1 FROM callback_request WHERE state = 'pending'`,
  params: [],
};

interface RequestRow {
  id: number;
  dag_id: string;
  run_id: string;
  kind: DagCallbackJob['kind'];
  context: string | null;
}

/**
 * Runs the callbacks the scheduler requested (callback_request rows), each in a short-lived child
 * process — user code never runs in the scheduler. A request is claimed with a guarded update
 * first, so with several schedulers exactly one runs it; its outcome is recorded, and a callback
 * that throws is logged (scheduler log and the callback's log file) and changes no other state.
 * `dispatch` never waits for a callback.
 */
export class CallbackRunner {
  private readonly running = new Map<number, ChildProcess>();
  private readonly settled = new Set<Promise<void>>();
  private readonly maxParallel: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly ds: DataSource,
    private readonly options: CallbackRunnerOptions,
  ) {
    this.maxParallel = options.maxParallel ?? 4;
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
  }

  /** Whether another callback may start now (dispatch would look for requests). */
  hasRoom(): boolean {
    return this.running.size < this.maxParallel;
  }

  async dispatch(now: Date): Promise<number> {
    const free = this.maxParallel - this.running.size;
    if (free <= 0) return 0;
    const { records } = await execSql<RequestRow>(
      this.ds,
      `SELECT id, dag_id, run_id, kind, context FROM callback_request WHERE state = 'pending' ORDER BY id LIMIT ?`,
      [free],
    );
    let started = 0;
    for (const row of records) {
      const id = Number(row.id);
      if (!(await claimCallbackRequest(this.ds, id, this.options.claimant, now))) continue;
      try {
        this.start(id, await this.buildJob(row));
        started += 1;
      } catch (err) {
        await this.finish(id, row, { ok: false, error: errorMessage(err) });
      }
    }
    return started;
  }

  /** Wait for the callbacks already started (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.settled.size) await Promise.all([...this.settled]);
  }

  private async buildJob(row: RequestRow): Promise<DagCallbackJob> {
    const { records: dags } = await execSql<{ fileloc: string }>(this.ds, `SELECT fileloc FROM dag WHERE dag_id = ?`, [
      row.dag_id,
    ]);
    if (!dags.length) throw new Error(`DAG '${row.dag_id}' not found`);
    const { records: runs } = await execSql<Record<string, string | null>>(
      this.ds,
      `SELECT state, run_type, logical_date, data_interval_start, data_interval_end, queued_at, start_date, end_date,
              conf, note FROM dag_run WHERE dag_id = ? AND run_id = ?`,
      [row.dag_id, row.run_id],
    );
    const run = runs[0] ?? {};
    // The request's own facts (the state the run ended in) win over a run that moved on since.
    const facts = row.context ? (JSON.parse(row.context) as Record<string, unknown>) : {};
    const dagRun = {
      dagId: row.dag_id,
      runId: row.run_id,
      state: (facts.state as string | undefined) ?? run.state ?? null,
      runType: run.run_type ?? null,
      logicalDate: run.logical_date ?? null,
      dataIntervalStart: run.data_interval_start ?? null,
      dataIntervalEnd: run.data_interval_end ?? null,
      queuedAt: run.queued_at ?? null,
      startDate: run.start_date ?? null,
      endDate: (facts.endDate as string | undefined) ?? run.end_date ?? null,
      conf: run.conf ? (JSON.parse(run.conf) as Record<string, unknown>) : null,
      note: run.note ?? null,
    };
    const context: Record<string, unknown> = {
      dagId: row.dag_id,
      runId: row.run_id,
      reason: facts.reason ?? row.kind,
      dagRun,
    };
    if (facts.deadline) context.deadline = facts.deadline;
    return {
      fileloc: dags[0].fileloc,
      dagId: row.dag_id,
      runId: row.run_id,
      kind: row.kind,
      logFile: callbackLogPath(this.options.baseLogFolder, row.dag_id, row.run_id, row.kind),
      context,
    };
  }

  private start(id: number, job: DagCallbackJob): void {
    const child = fork(distEntry('runner/callback-process-main'), [], {
      env: { ...process.env, [CALLBACK_JOB_ENV]: JSON.stringify(job) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.running.set(id, child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
    const row: RequestRow = { id, dag_id: job.dagId, run_id: job.runId, kind: job.kind, context: null };
    const done = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.running.delete(id);
        const lastLine = stderr.trim().split('\n').pop() ?? '';
        const error =
          code === 0 ? null : signal ? `callback process killed by ${signal}` : lastLine || `exit code ${code}`;
        void this.finish(id, row, { ok: code === 0, error }, job.logFile).finally(resolve);
      });
    });
    this.settled.add(done);
    void done.finally(() => this.settled.delete(done));
  }

  private async finish(
    id: number,
    row: RequestRow,
    outcome: { ok: boolean; error: string | null },
    logFile?: string,
  ): Promise<void> {
    const where = { dagId: row.dag_id, runId: row.run_id };
    if (outcome.ok) log.info(`${row.kind} callback of run ${row.run_id} done`, where);
    else
      log.error(
        `${row.kind} callback of run ${row.run_id} failed: ${outcome.error}${logFile ? ` (log: ${logFile})` : ''}`,
        where,
      );
    try {
      await finishCallbackRequest(this.ds, id, this.options.claimant, outcome, new Date());
    } catch (err) {
      log.error(`could not record the outcome of callback request ${id}`, { ...where, err });
    }
  }
}
