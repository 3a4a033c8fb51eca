import fs from 'node:fs';
import path from 'node:path';
import type { TaskWorkload } from '../core/executor';
import { tryKeyString } from '../core/task-instance-key';
import { taskLogPath } from '../logging/task-log-path';
import { distEntry } from '../core/dist-path';
import { PoolRunHooks, PoolRunResult, TaskProcess } from './task-process';
import type { VariableSource } from './variable-source';

export type { PoolRunHooks, PoolRunResult } from './task-process';

export interface TaskProcessPoolOptions {
  /** Most tries running at once (= most child processes). */
  size: number;
  /** 'warm': children are reused; 'fork': a fresh child per try (maxTasksPerChild = 1). */
  mode?: 'warm' | 'fork';
  /** A warm child is replaced after this many tries (default 100). */
  maxTasksPerChild?: number;
  /** A child whose RSS exceeds this after a try is replaced (default 512). */
  maxMemoryMb?: number;
  /** Environment of the children (default process.env): DAGCTL_HOME and the config. */
  env?: NodeJS.ProcessEnv;
  /** A stopped try's processes get SIGTERM, then SIGKILL this long after (default 5000). */
  killGraceMs?: number;
  /** Who stops tries, for the task log ("the local executor"). */
  stoppedBy?: string;
  /** Supply `{{ var.… }}` from here (over IPC) instead of letting children read the DB. */
  variables?: VariableSource;
  /** The child entry (default dist/runner/task-process-main.js). */
  entry?: string;
  /** A child could not write its task log. */
  onLogError?: (message: string) => void;
  /** `logging.base_log_folder`: when set, a try whose process died gets a closing line in its log. */
  baseLogFolder?: string;
}

interface Waiting {
  workload: TaskWorkload;
  hooks: PoolRunHooks;
  resolve(result: PoolRunResult): void;
}

/** Where a try is now: waiting for a process, or running in one. */
interface Placed {
  workload: TaskWorkload;
  child: TaskProcess | null;
}

/**
 * A prefork pool of task processes: children are spawned lazily (or by prewarm), serve one try
 * at a time, and are recycled after maxTasksPerChild tries or when they grow past maxMemoryMb.
 * Independent of the Executor interface so both the local executor and the bullmq worker use it.
 */
export class TaskProcessPool {
  readonly size: number;
  readonly mode: 'warm' | 'fork';
  private readonly maxTasksPerChild: number;
  private readonly maxRssBytes: number;
  private readonly killGraceMs: number;
  private readonly entry: string;
  private readonly children = new Set<TaskProcess>();
  private readonly waiting: Waiting[] = [];
  /** Tries by `dag\0run\0task\0mapIndex\0try`, to stop one. */
  private readonly placed = new Map<string, Placed>();
  /** Idle children set aside for tries to be handed over later (reserveReady). */
  private readonly reserved = new Set<TaskProcess>();
  private closed = false;

  constructor(private readonly options: TaskProcessPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`task process pool size must be a positive integer, got ${options.size}`);
    this.size = options.size;
    this.mode = options.mode ?? 'warm';
    this.maxTasksPerChild = this.mode === 'fork' ? 1 : Math.max(1, options.maxTasksPerChild ?? 100);
    this.maxRssBytes = (options.maxMemoryMb ?? 512) * 1024 * 1024;
    this.killGraceMs = options.killGraceMs ?? 5000;
    this.entry = options.entry ?? distEntry('runner/task-process-main');
    if (!fs.existsSync(this.entry))
      throw new Error(`task process entry ${this.entry} is missing (build dagctl first: npm run build)`);
  }

  /** Pids of the live children (busy or idle). */
  pids(): number[] {
    return [...this.children].map((child) => child.pid).filter((pid): pid is number => pid !== null);
  }

  /** Tries running now. */
  get busyCount(): number {
    return [...this.children].filter((child) => child.busy).length;
  }

  /** Start children ahead of demand so the first tries skip process start-up. */
  prewarm(count = 1): void {
    const target = Math.min(count, this.size);
    while (!this.closed && this.idleChildren().length < target && this.activeCount() < this.size) this.spawn();
  }

  /**
   * Set aside up to `count` children that are idle and ready now: no try is placed on them until
   * one is handed over with run(workload, hooks, child), or they are given back (unreserve).
   */
  reserveReady(count: number): TaskProcess[] {
    if (this.closed || count <= 0) return [];
    // The most recently started first, as pump() prefers them.
    const ready = this.idleChildren()
      .filter((child) => child.isReady)
      .slice(-count)
      .reverse();
    for (const child of ready) this.reserved.add(child);
    return ready;
  }

  /** Give back a child set aside by reserveReady and not used; a no-op once it was used. */
  unreserve(child: TaskProcess): void {
    if (this.reserved.delete(child)) this.pump();
  }

  /**
   * Run one try in a child — in `reservedChild` when given (see reserveReady), else in the next
   * free one; resolves when it finished or its process was lost.
   */
  run(workload: TaskWorkload, hooks: PoolRunHooks = {}, reservedChild?: TaskProcess): Promise<PoolRunResult> {
    // One that died meanwhile left the set: its try ends lost at once (TaskProcess.run).
    if (reservedChild && !this.reserved.delete(reservedChild) && !reservedChild.exited)
      throw new Error(
        `task process ${reservedChild.pid} was not set aside for ${tryKeyString(workload.key, workload.tryNumber)}`,
      );
    if (this.closed) return Promise.resolve({ kind: 'lost', reason: 'task process pool is closed', pid: null });
    const id = tryKeyString(workload.key, workload.tryNumber);
    return new Promise((resolve) => {
      this.placed.set(id, { workload, child: null });
      const waiter: Waiting = {
        workload,
        hooks: { ...hooks, onStopping: (reason) => this.noteStopInLog(workload, reason) },
        resolve: (result) => {
          if (this.placed.get(id)?.workload === workload) this.placed.delete(id);
          resolve(result);
        },
      };
      if (reservedChild) {
        this.startOn(reservedChild, waiter);
        return;
      }
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /**
   * Stop one try: SIGTERM to its process tree, SIGKILL after the grace; it resolves (failed, with
   * `reason`) once every process of it is gone. A try still waiting for a process never starts.
   * Returns whether the pool had that try.
   */
  stopTry(key: TaskWorkload['key'], tryNumber: number, reason: string): boolean {
    const placed = this.placed.get(tryKeyString(key, tryNumber));
    if (!placed) return false;
    if (placed.child) return placed.child.stopTry(placed.workload, reason);
    const index = this.waiting.findIndex((waiter) => waiter.workload === placed.workload);
    if (index < 0) return false;
    const [waiter] = this.waiting.splice(index, 1);
    this.noteStopInLog(placed.workload, reason);
    waiter.resolve({
      kind: 'finished',
      pid: 0,
      logPath: null,
      outcome: { state: 'failed', reason: `${reason} (before it started)` },
    });
    return true;
  }

  /** Stop taking tries, let running ones finish (up to timeoutMs), then kill what is left. */
  async close(timeoutMs = 30_000): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0))
      waiter.resolve({ kind: 'lost', reason: 'task process pool closed before the try started', pid: null });
    for (const child of this.children) if (!child.busy) child.shutdown();
    const allExited = Promise.all(
      [...this.children].map((child) => new Promise<void>((resolve) => child.onExit(resolve))),
    );
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    // Busy children are told to shut down as soon as they finish (see release).
    if ((await Promise.race([allExited, deadline])) === 'timeout') await this.kill();
  }

  /** Kill every child now; their tries resolve as lost. */
  async kill(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0))
      waiter.resolve({ kind: 'lost', reason: 'task process pool killed before the try started', pid: null });
    const children = [...this.children];
    for (const child of children) child.kill();
    await Promise.all(children.map((child) => new Promise<void>((resolve) => child.onExit(resolve))));
  }

  private idleChildren(): TaskProcess[] {
    return [...this.children].filter(
      (child) => !child.busy && !child.retiring && !child.exited && !this.reserved.has(child),
    );
  }

  private spawn(): TaskProcess {
    const child = new TaskProcess({
      entry: this.entry,
      env: this.options.env ?? process.env,
      variables: this.options.variables,
      onLogError: this.options.onLogError,
    });
    this.children.add(child);
    child.onExit(() => {
      this.children.delete(child);
      // Its try, if one is handed over, ends lost at once (TaskProcess.run).
      this.reserved.delete(child);
      this.pump();
    });
    return child;
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.closed) {
      // Prefer the most recently started idle child: its DAG files are the most likely cached.
      const child = this.idleChildren().pop() ?? (this.activeCount() < this.size ? this.spawn() : null);
      if (!child) return;
      this.startOn(child, this.waiting.shift() as Waiting);
    }
  }

  private startOn(child: TaskProcess, waiter: Waiting): void {
    const placed = this.placed.get(tryKeyString(waiter.workload.key, waiter.workload.tryNumber));
    if (placed?.workload === waiter.workload) placed.child = child;
    void child.run(waiter.workload, waiter.hooks, this.killGraceMs).then((result) => {
      this.noteDeathInLog(waiter.workload, result);
      this.release(child);
      waiter.resolve(result);
    });
  }

  /** Say in the try's log why and by whom it is stopped (the child adds how its task ended). */
  private noteStopInLog(workload: TaskWorkload, reason: string): void {
    const by = this.options.stoppedBy ?? 'the task process pool';
    const grace = `${this.killGraceMs / 1000}s`;
    this.appendToLog(
      workload,
      `WARNING - Stopping this try (by ${by}): ${reason}; SIGTERM to its processes, SIGKILL after ${grace}`,
    );
  }

  private appendToLog(workload: TaskWorkload, line: string): void {
    if (!this.options.baseLogFolder) return;
    try {
      const file = taskLogPath(this.options.baseLogFolder, workload.key, workload.tryNumber);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, `[${new Date().toISOString()}] ${line}\n`);
    } catch {
      // the log is best effort; the outcome is what counts
    }
  }

  /** The child could not write the end of the log itself: say what happened to the try. */
  private noteDeathInLog(workload: TaskWorkload, result: PoolRunResult): void {
    if (!this.options.baseLogFolder || result.kind === 'unclaimed') return;
    if (result.kind === 'finished' && result.logPath !== null) return;
    const reason =
      result.kind === 'lost'
        ? `task process lost: ${result.reason}`
        : `Task finished: failed - ${result.outcome.reason}`;
    this.appendToLog(workload, `ERROR - ${reason}`);
  }

  /** Children that count against the size: those not on their way out. */
  private activeCount(): number {
    return [...this.children].filter((child) => !child.retiring && !child.exited).length + this.busyRetiring();
  }

  private busyRetiring(): number {
    return [...this.children].filter((child) => child.retiring && child.busy && !child.exited).length;
  }

  private release(child: TaskProcess): void {
    const spent = child.tasksRun >= this.maxTasksPerChild || child.lastRssBytes > this.maxRssBytes;
    const replaced = child.exited || child.retiring || spent;
    if (!child.exited && (this.closed || replaced)) child.shutdown();
    if (this.closed) return;
    this.pump();
    // A retired child is replaced at once (fork mode: always), so the next try does not wait
    // for a process start-up.
    if (replaced && this.waiting.length === 0) this.prewarm(1);
  }
}
