import fs from 'node:fs';
import path from 'node:path';
import type { TaskWorkload } from '../core/executor';
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
  /** A try running longer than its timeout + this is killed from outside (default 5000). */
  timeoutGraceMs?: number;
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
  private readonly timeoutGraceMs: number;
  private readonly entry: string;
  private readonly children = new Set<TaskProcess>();
  private readonly waiting: Waiting[] = [];
  private closed = false;

  constructor(private readonly options: TaskProcessPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`task process pool size must be a positive integer, got ${options.size}`);
    this.size = options.size;
    this.mode = options.mode ?? 'warm';
    this.maxTasksPerChild = this.mode === 'fork' ? 1 : Math.max(1, options.maxTasksPerChild ?? 100);
    this.maxRssBytes = (options.maxMemoryMb ?? 512) * 1024 * 1024;
    this.timeoutGraceMs = options.timeoutGraceMs ?? 5000;
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

  /** Run one try in a child; resolves when it finished or its process was lost. */
  run(workload: TaskWorkload, hooks: PoolRunHooks = {}): Promise<PoolRunResult> {
    if (this.closed) return Promise.resolve({ kind: 'lost', reason: 'task process pool is closed', pid: null });
    return new Promise((resolve) => {
      this.waiting.push({ workload, hooks, resolve });
      this.pump();
    });
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
    return [...this.children].filter((child) => !child.busy && !child.retiring && !child.exited);
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
      this.pump();
    });
    return child;
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.closed) {
      // Prefer the most recently started idle child: its DAG files are the most likely cached.
      const child = this.idleChildren().pop() ?? (this.activeCount() < this.size ? this.spawn() : null);
      if (!child) return;
      const waiter = this.waiting.shift() as Waiting;
      void child.run(waiter.workload, waiter.hooks, this.timeoutGraceMs).then((result) => {
        this.noteDeathInLog(waiter.workload, result);
        this.release(child);
        waiter.resolve(result);
      });
    }
  }

  /** The child could not write the end of the log itself: say what happened to the try. */
  private noteDeathInLog(workload: TaskWorkload, result: PoolRunResult): void {
    if (!this.options.baseLogFolder || (result.kind === 'finished' && result.logPath !== null)) return;
    const reason =
      result.kind === 'lost'
        ? `task process lost: ${result.reason}`
        : `Task finished: failed - ${result.outcome.reason}`;
    try {
      const file = taskLogPath(this.options.baseLogFolder, workload.key, workload.tryNumber);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, `[${new Date().toISOString()}] ERROR - ${reason}\n`);
    } catch {
      // the log is best effort; the outcome is what counts
    }
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
