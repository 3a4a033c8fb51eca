import { errorMessage } from '../core/errors';
import { ChildProcess, fork } from 'node:child_process';
import type { TaskOutcome, TaskWorkload } from '../core/executor';
import { formatDurationMs } from './format-duration-ms';
import { describeProcessDeath } from './describe-process-death';
import { identifyProcess, ProcessIdentity } from '../core/process-table';
import { ProcessTreeKiller } from './process-tree-killer';
import { killTryProcesses } from './kill-try-processes';
import { processesOfTry } from '../core/try-processes';
import { ChildToParentMessage, ParentToChildMessage, isChildToParentMessage } from './task-process-protocol';
import type { VariableSource } from './variable-source';
import { lookUpSecret } from './secret-lookup';

/** How one try handed to a task process ended. */
export type PoolRunResult =
  | { kind: 'finished'; outcome: TaskOutcome; pid: number; logPath: string | null }
  /** The process died mid-try (crash, OOM kill, killed at shutdown): nothing is known of the try. */
  | { kind: 'lost'; reason: string; pid: number | null }
  /** Its claim was refused (the try is no longer this runner's to start): nothing ran. */
  | { kind: 'unclaimed'; pid: number | null };

export interface PoolRunHooks {
  /**
   * Asked once the process is ready and before the try's command is sent to it: only when it
   * resolves true does the try run (see claimTryStart). A rejection counts as a refusal.
   */
  claim?: (pid: number | null) => Promise<boolean>;
  /** The try began in process `pid`. */
  onStarted?(pid: number): void;
  /** The try is being stopped from outside (timeout, a request): `reason` says why and by whom. */
  onStopping?(reason: string): void;
}

export interface TaskProcessSpawnOptions {
  entry: string;
  env: NodeJS.ProcessEnv;
  variables?: VariableSource;
  onLogError?: (message: string) => void;
}

interface CurrentTry {
  workload: TaskWorkload;
  resolve(result: PoolRunResult): void;
  hooks: PoolRunHooks;
  /** SIGTERM → SIGKILL grace of this try's processes. */
  killGraceMs: number;
  timeoutTimer: NodeJS.Timeout | null;
  /** Set once the try is being stopped: why, and the killer that ends its processes. */
  stopping: { reason: string; killer: ProcessTreeKiller } | null;
  /** What the child reported before exiting, for a try that was stopped. */
  reported: { outcome: TaskOutcome; logPath: string } | null;
  /** Set once the try's command was sent: from then on it may have started processes. */
  sent: boolean;
}

/** Keeps the last bytes of the child's stderr: V8 says "heap out of memory" there before aborting. */
const STDERR_TAIL_BYTES = 4096;

/** One forked task process, serving one try at a time; see task-process-main.ts. */
export class TaskProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  tasksRun = 0;
  lastRssBytes = 0;
  /** Set once the child said it will exit after its try, or was told to. */
  retiring = false;
  exited = false;
  /** Set once the child said it is ready: a try sent now starts without waiting for start-up. */
  isReady = false;
  private current: CurrentTry | null = null;
  private exitListeners: Array<() => void> = [];
  private startError: string | null = null;
  private stderrTail = '';
  /** Why dagctl killed this process, when it did (a SIGKILL from anyone else may be the OOM killer). */
  private killedBecause: string | null = null;
  /** The child by pid and start time, taken at the spawn: once it is reaped, its pid may be another's. */
  private readonly identity: ProcessIdentity | null;

  constructor(private readonly options: TaskProcessSpawnOptions) {
    this.child = fork(options.entry, [], {
      env: options.env,
      execArgv: [],
      // Own process group: a kill from outside takes the whole tree with it.
      detached: true,
      // stderr is piped (and passed on) to recognise an out-of-memory death.
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // Before the event loop runs again: the child cannot have been reaped yet.
    this.identity = this.child.pid === undefined ? null : identifyProcess(this.child.pid);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown): void => {
        if ((message as ChildToParentMessage)?.type === 'ready') {
          this.child.off('message', onMessage);
          this.isReady = true;
          resolve();
        }
      };
      this.child.on('message', onMessage);
      this.onExit(() => reject(new Error(this.startError ?? 'task process exited before it was ready')));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (message) => this.onMessage(message));
    this.child.on('error', (err) => {
      this.startError = `cannot start task process: ${err.message}`;
    });
    this.child.on('exit', (code, signal) => {
      // 'exit' may overtake the last IPC messages (a 'finished' sent just before exiting):
      // wait for the channel to drain and close first.
      if (!this.child.connected) {
        this.onChildExit(code, signal);
        return;
      }
      const fallback = setTimeout(() => done(), 1000);
      const done = (): void => {
        clearTimeout(fallback);
        this.child.off('disconnect', done);
        this.onChildExit(code, signal);
      };
      this.child.once('disconnect', done);
    });
    this.setReferenced(false);
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get busy(): boolean {
    return this.current !== null;
  }

  onExit(listener: () => void): void {
    if (this.exited) listener();
    else this.exitListeners.push(listener);
  }

  /** Run one try; resolves when it finished or the process died. */
  async run(workload: TaskWorkload, hooks: PoolRunHooks, killGraceMs: number): Promise<PoolRunResult> {
    if (this.current) throw new Error('task process is busy');
    const result = new Promise<PoolRunResult>((resolve) => {
      this.current = {
        workload,
        resolve,
        hooks,
        killGraceMs,
        timeoutTimer: null,
        stopping: null,
        reported: null,
        sent: false,
      };
    });
    // A process that died while set aside for this try (see TaskProcessPool.reserveReady).
    if (this.exited) {
      this.settle({ kind: 'lost', reason: `task process ${this.pid} exited before the try reached it`, pid: this.pid });
      return result;
    }
    this.setReferenced(true);
    try {
      await this.ready;
    } catch (err) {
      this.settle({ kind: 'lost', reason: errorMessage(err), pid: this.pid });
      return result;
    }
    const claim = (this.current as CurrentTry | null)?.hooks.claim;
    if (claim) {
      const claimed = await claim(this.pid).catch(() => false);
      const after = this.current as CurrentTry | null;
      if (after?.workload !== workload) return result;
      if (!claimed) {
        this.settle({ kind: 'unclaimed', pid: this.pid });
        return result;
      }
    }
    const now = this.current as CurrentTry | null;
    // Stopped while waiting (for the process, or its claim): the command never reaches the
    // process; the stop ends the try (failed).
    if (now?.workload !== workload || now.stopping) return result;
    now.sent = true;
    this.send({
      type: 'run',
      workload,
      variablesFromParent: this.options.variables !== undefined,
      reportStarted: hooks.onStarted !== undefined,
    });
    return result;
  }

  /** Ask the child to exit once idle. */
  shutdown(): void {
    this.retiring = true;
    // Whoever asked may wait for the exit: keep the event loop alive until it happens.
    this.setReferenced(true);
    this.send({ type: 'shutdown' });
  }

  /** SIGKILL the child and every process it started. */
  kill(because = 'its executor was stopped'): void {
    this.retiring = true;
    if (this.exited || this.identity === null) return;
    this.killedBecause ??= because;
    new ProcessTreeKiller(this.identity).kill();
  }

  /**
   * Stop the running try of `workload` (if this process runs it): the child is told why (its log
   * says so, its callbacks run), its subprocesses get SIGTERM, and after the try's grace the whole
   * tree gets SIGKILL. A stopped try's process is never reused: the try settles once it exited.
   * Returns whether this process was running that try.
   */
  stopTry(workload: TaskWorkload, reason: string): boolean {
    const current = this.current;
    if (!current || current.workload !== workload || this.identity === null) return false;
    if (current.stopping || this.exited) return true;
    this.retiring = true;
    const killer = new ProcessTreeKiller(this.identity);
    current.stopping = { reason, killer };
    if (current.timeoutTimer) clearTimeout(current.timeoutTimer);
    current.hooks.onStopping?.(reason);
    this.send({ type: 'abort', reason });
    killer.terminateDescendants();
    // A task that blocks its event loop never reads the abort: the SIGKILL ends it.
    const timer = setTimeout(() => killer.kill(), current.killGraceMs);
    this.onExit(() => clearTimeout(timer));
    return true;
  }

  private send(message: ParentToChildMessage): void {
    if (!this.child.connected) return;
    try {
      this.child.send(message);
    } catch {
      // the exit handler reports the loss
    }
  }

  private setReferenced(referenced: boolean): void {
    if (this.exited) return;
    // Idle children must not keep a finished CLI command alive; busy ones must.
    const channel = (this.child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    if (referenced) {
      this.child.ref();
      channel?.ref();
    } else {
      this.child.unref();
      channel?.unref();
    }
  }

  private settle(result: PoolRunResult): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    if (current.timeoutTimer) clearTimeout(current.timeoutTimer);
    if (!this.retiring) this.setReferenced(false);
    current.resolve(result);
  }

  private onMessage(message: unknown): void {
    if (!isChildToParentMessage(message)) return;
    switch (message.type) {
      case 'started':
        this.current?.hooks.onStarted?.(message.pid);
        return;
      case 'executing':
        this.startExecutionTimeout();
        return;
      case 'finished':
        this.tasksRun += 1;
        this.lastRssBytes = message.rssBytes;
        if (message.recycle) this.retiring = true;
        if (this.current?.stopping) {
          // The try is over, but not its processes: it settles when they are gone (onChildExit).
          this.current.reported = { outcome: message.outcome, logPath: message.logPath };
          this.current.stopping.killer.kill();
          return;
        }
        this.settle({ kind: 'finished', outcome: message.outcome, pid: this.pid ?? 0, logPath: message.logPath });
        return;
      case 'log-error':
        this.options.onLogError?.(message.message);
        return;
      case 'secret-request': {
        const { requestId, lookup } = message;
        const source = this.options.variables;
        if (!source) {
          this.send({ type: 'secret', requestId, error: 'no variable or connection source' });
          return;
        }
        lookUpSecret(source, lookup).then(
          (value) => this.send({ type: 'secret', requestId, value }),
          (err: unknown) => this.send({ type: 'secret', requestId, error: errorMessage(err) }),
        );
        return;
      }
      case 'ready':
        return;
    }
  }

  /** The runner aborts the try at its timeout itself; this also stops tasks that block the event loop. */
  private startExecutionTimeout(): void {
    const current = this.current;
    const timeoutMs = current?.workload.executionTimeoutMs ?? null;
    if (!current || timeoutMs === null || timeoutMs <= 0 || current.timeoutTimer) return;
    current.timeoutTimer = setTimeout(
      () => this.stopTry(current.workload, `execution timeout after ${formatDurationMs(timeoutMs)}`),
      timeoutMs,
    );
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.retiring = true;
    const current = this.current;
    if (current?.stopping) {
      // Processes that left the tree (re-parented when the child died) were remembered at the stop.
      const { killer, reason } = current.stopping;
      killer.kill();
      const pid = this.pid ?? 0;
      const result: PoolRunResult = current.reported
        ? { kind: 'finished', pid, ...current.reported }
        : { kind: 'finished', pid, logPath: null, outcome: { state: 'failed', reason: `${reason} (process killed)` } };
      // The try ends (and its next try may start) only once none of its processes runs.
      void killer.gone().then(() => this.settle(result));
    } else if (current) {
      const how = this.killedBecause
        ? `was killed by dagctl (${this.killedBecause})`
        : describeProcessDeath(code, signal, this.stderrTail);
      const reason = `task process ${this.pid} ${how}`;
      const pid = this.pid;
      if (!current.sent || pid === null) this.settle({ kind: 'lost', reason, pid });
      else {
        // A BashOperator's bash runs in a session of its own: it outlives a task process killed
        // from outside (the OOM killer) and is no longer in its tree. Found by the try's
        // environment and killed, it is gone before the loss is reported, so a retry never
        // overlaps it.
        const { key, tryNumber } = current.workload;
        const left = killTryProcesses(key, tryNumber, pid);
        const killed = left.count > 0 ? `; killed ${left.count} processes of the try it left running` : '';
        void left.gone().then(() => {
          // gone() waits 5 s at most: one stuck in the kernel (uninterruptible I/O) is said, not hidden.
          const stuck = left.count > 0 ? processesOfTry(key, tryNumber, pid).length : 0;
          const still = stuck > 0 ? ` (${stuck} still running after SIGKILL)` : '';
          this.settle({ kind: 'lost', reason: reason + killed + still, pid });
        });
      }
    }
    if (!this.startError && code !== 0 && this.tasksRun === 0)
      this.startError = `task process ${this.pid} exited with ${signal ?? `code ${code}`} before it was ready`;
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const listener of listeners) listener();
  }
}
