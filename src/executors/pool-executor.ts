import os from 'node:os';
import { Clock, systemClock } from '../core/clock';
import { describeTi, TaskInstanceKey, tiKeyString } from '../core/task-instance-key';
import { getLogger } from '../logging/logger';
import { TaskProcessPool } from '../runner/task-process-pool';
import type { VariableSource } from '../runner/variable-source';
import { EventBuffer } from './event-buffer';
import type { Executor, ExecutorEvent, StartReservation, TaskWorkload, TryClaim } from '../core/executor';
import type { TaskProcess } from '../runner/task-process';

export interface PoolExecutorOptions {
  /** Most tries running at once. */
  parallelism: number;
  /** 'warm' reuses task processes; 'fork' starts a fresh one per try. */
  mode: 'warm' | 'fork';
  maxTasksPerChild: number;
  maxMemoryMb: number;
  /** Environment of task processes (see childEnvFor). */
  env: NodeJS.ProcessEnv;
  /** A stopped try's processes get SIGTERM, then SIGKILL this long after (default 5000). */
  killGraceMs?: number;
  /** Supply variables to task processes instead of letting them read the DB. */
  variables?: VariableSource;
  /** How long end() waits for running tries by default (default 60s). */
  endTimeoutMs?: number;
  /** `logging.base_log_folder`, to note in a try's log that its process died. */
  baseLogFolder?: string;
  clock?: Clock;
  hostname?: string;
}

interface RunningTry {
  workload: TaskWorkload;
  done: Promise<void>;
}

const log = getLogger('executor');

/** An idle task process of this executor's pool set aside for one try (see reserveStarts). */
class ProcessReservation implements StartReservation {
  constructor(
    readonly child: TaskProcess,
    readonly pid: number,
    readonly hostname: string,
    private readonly pool: TaskProcessPool,
  ) {}

  release(): void {
    this.pool.unreserve(this.child);
  }
}

/** Runs tries in a TaskProcessPool and reports events; the local and sequential executors. */
export class PoolExecutor implements Executor {
  protected readonly pool: TaskProcessPool;
  private readonly running = new Map<string, RunningTry>();
  private readonly events = new EventBuffer((err) => log.error('executor event listener failed', { err }));
  private ended = false;
  private readonly clock: Clock;
  private readonly hostname: string;
  private claim: TryClaim | null = null;

  constructor(
    readonly name: string,
    protected readonly options: PoolExecutorOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.hostname = options.hostname ?? os.hostname();
    this.pool = new TaskProcessPool({
      size: options.parallelism,
      mode: options.mode,
      maxTasksPerChild: options.maxTasksPerChild,
      maxMemoryMb: options.maxMemoryMb,
      env: options.env,
      killGraceMs: options.killGraceMs,
      stoppedBy: `the ${name} executor`,
      variables: options.variables,
      baseLogFolder: options.baseLogFolder,
      onLogError: (message) => log.warn(message),
    });
  }

  async start(): Promise<void> {
    // One warm child up front: the first task of the day should not pay for a process start.
    this.pool.prewarm(1);
  }

  queueWorkload(workload: TaskWorkload, reservation?: StartReservation): void {
    if (this.ended) {
      reservation?.release();
      throw new Error(`${this.name} executor has ended; cannot queue ${describeTi(workload.key, workload.tryNumber)}`);
    }
    const id = tiKeyString(workload.key);
    if (this.running.has(id)) {
      log.warn(`ignoring ${describeTi(workload.key, workload.tryNumber)}: already running in this executor`);
      if (!reservation) return;
      // Claimed already (running in the database) and cannot run here: reported lost, not left running.
      reservation.release();
      const { key, tryNumber } = workload;
      const reason = 'an earlier try of its task instance was still running in this executor';
      this.emit({ type: 'lost', key, tryNumber, at: this.now(), reason });
      return;
    }
    const { key, tryNumber } = workload;
    const claim = this.claim;
    const reserved = reservation instanceof ProcessReservation ? reservation.child : undefined;
    // A claimed try's start (queued → running, with its time, host and pid) is written by the
    // claim itself: a `started` event would only cost the scheduler a loop that changes nothing.
    // A try handed over with its reservation was claimed in the transaction that queued it.
    const hooks =
      reserved !== undefined
        ? {}
        : {
            claim: claim
              ? (pid: number | null) => claim({ key, tryNumber, at: this.now(), hostname: this.hostname, pid })
              : undefined,
            onStarted: claim
              ? undefined
              : (pid: number) =>
                  this.emit({ type: 'started', key, tryNumber, at: this.now(), hostname: this.hostname, pid }),
          };
    // runningKeys knows the try as soon as run() returns (below), before its claim can be
    // answered (a database round trip), and forgets it in the same synchronous step as it
    // reports its end: the scheduler's endStrandedClaims relies on both to never end a try this
    // executor runs.
    const done = this.pool.run(workload, hooks, reserved).then((result) => {
      this.running.delete(id);
      if (result.kind === 'finished')
        this.emit({ type: 'finished', key, tryNumber, at: this.now(), outcome: result.outcome });
      // Someone else owns this try now (it was given back, or ended): say nothing about it.
      else if (result.kind === 'unclaimed')
        log.warn(`${describeTi(key, tryNumber)} not started: its claim was refused`);
      else this.emit({ type: 'lost', key, tryNumber, at: this.now(), reason: result.reason });
    });
    this.running.set(id, { workload, done });
  }

  /**
   * Stop a running (or waiting) try: SIGTERM to its whole process tree, SIGKILL after the grace.
   * Its end is reported as usual (failed, saying why) once every process of it is gone.
   */
  killTry(key: TaskInstanceKey, tryNumber: number, reason: string): boolean {
    const running = this.running.get(tiKeyString(key));
    if (!running || running.workload.tryNumber !== tryNumber) return false;
    return this.pool.stopTry(key, tryNumber, reason);
  }

  claimTriesWith(claim: TryClaim): void {
    this.claim = claim;
  }

  reserveStarts(count: number): StartReservation[] {
    // Without a claim a try reports its start itself (a `started` event): nothing to set aside for.
    if (!this.claim || this.ended) return [];
    return this.pool.reserveReady(Math.min(count, this.slotsAvailable())).flatMap((child) => {
      if (child.pid !== null) return [new ProcessReservation(child, child.pid, this.hostname, this.pool)];
      this.pool.unreserve(child); // never: a ready process has a pid
      return [];
    });
  }

  slotsAvailable(): number {
    return this.ended ? 0 : Math.max(0, this.options.parallelism - this.running.size);
  }

  drainEvents(): ExecutorEvent[] {
    return this.events.drain();
  }

  onEvent(listener: () => void): void {
    this.events.onEvent(listener);
  }

  runningKeys(): Array<{ key: TaskWorkload['key']; tryNumber: number }> {
    return [...this.running.values()].map(({ workload }) => ({ key: workload.key, tryNumber: workload.tryNumber }));
  }

  async end(timeoutMs = this.options.endTimeoutMs ?? 60_000): Promise<void> {
    this.ended = true;
    const all = Promise.all([...this.running.values()].map((item) => item.done));
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    if ((await Promise.race([all, deadline])) === 'timeout') await this.pool.kill();
    else await this.pool.close(5_000);
    await all;
  }

  async terminate(): Promise<void> {
    this.ended = true;
    await this.pool.kill();
    await Promise.all([...this.running.values()].map((item) => item.done));
  }

  /** Pids of the task processes (for tests and `dagctl` diagnostics). */
  processPids(): number[] {
    return this.pool.pids();
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private emit(event: ExecutorEvent): void {
    this.events.push(event);
  }
}
