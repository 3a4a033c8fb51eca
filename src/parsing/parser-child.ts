import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AuthoringDefaults } from '../authoring/authoring-defaults';
import { getLogger } from '../logging/logger';
import { FileParseResult, formatTimeout, oneLineError } from './file-parse-result';
import { HeapDeathWatch } from './heap-death-watch';
import { killProcessesOf, killTaggedProcesses, PARSER_TAG_ENV } from './import-processes';
import type { ChildToParentMessage, ParentToChildMessage } from './parse-child-protocol';

const log = getLogger('dag-processor');

/** How long a child may take to load its modules before it is considered broken. */
const STARTUP_TIMEOUT_MS = 120_000;

/** `scheduler.parser_max_heap`'s default: the V8 heap cap of a parser child, in MB. */
export const DEFAULT_PARSER_MAX_HEAP_MB = 1024;

/** How long a child that aborted may take to flush the stderr that says why. */
const ABORT_STDERR_GRACE_MS = 1000;

export interface ParserChildOptions {
  /** Compiled JS entry to fork (dist/parsing/parse-child-main.js). */
  entry: string;
  importTimeoutMs: number;
  /**
   * V8 heap cap in MB (`--max-old-space-size`): a file that eats memory dies fast with an
   * "out of memory" import error instead of growing the child until the import timeout.
   */
  maxHeapMb: number;
  /** Sent with every file: what its DAGs and tasks get for options they do not set. */
  defaults?: AuthoringDefaults;
}

interface Pending {
  id: number;
  /** Secret of this parse: a message without it comes from user code, not the child's handler. */
  nonce: string;
  file: string;
  started: number;
  resolve: (result: FileParseResult | null) => void;
  timer?: NodeJS.Timeout;
}

/**
 * One forked parser process, parsing one file at a time. A file that runs past the import
 * timeout gets the child SIGKILLed; a child that dies mid-file turns into that file's import
 * error. `parse` never rejects; it resolves null when the child was already doomed by an earlier
 * file's stray code (an error thrown after that import finished): the file should be retried in
 * another child. Once dead, the child is not reused.
 */
export class ParserChild {
  private readonly child: ChildProcess;
  /** In the child's environment, so what DAG files start there can be found however they detach. */
  private readonly tag = randomUUID();
  private ready = false;
  private dead = false;
  private nextId = 1;
  private pending: Pending | null = null;
  /** Crashed by code of a file whose import had already finished: not the pending file's fault. */
  private doomed = false;
  private lastFile: string | null = null;
  /** Whether V8 said on stderr that the heap is full: the exit that follows is an out-of-memory death. */
  private readonly heapDeath = new HeapDeathWatch();
  private startupTimer: NodeJS.Timeout;
  /** Files this child has parsed (to recycle it after a while: user modules leak). */
  filesParsed = 0;

  constructor(private readonly options: ParserChildOptions) {
    // stdout is piped, never inherited: user code printing at import must not corrupt
    // `-o json` output of the CLI that started the processor. Detached: the child leads its own
    // session and process group, where everything DAG files spawn can be found and killed.
    this.child = fork(options.entry, [], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [`--max-old-space-size=${options.maxHeapMb}`],
      env: { ...process.env, [PARSER_TAG_ENV]: this.tag },
      serialization: 'json',
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.forwardOutput(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.heapDeath.feed(chunk);
      this.forwardOutput(chunk);
    });
    this.child.on('message', (message: ChildToParentMessage) => this.onMessage(message));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('error', (err) => log.warn(`parser process error: ${err.message}`));
    this.startupTimer = setTimeout(() => this.kill(), STARTUP_TIMEOUT_MS);
    this.startupTimer.unref();
    this.holdEventLoop(false);
  }

  get alive(): boolean {
    return !this.dead;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  parse(file: string): Promise<FileParseResult | null> {
    if (this.pending) throw new Error('parser child is busy');
    return new Promise<FileParseResult | null>((resolve) => {
      if (this.dead) {
        resolve(null);
        return;
      }
      this.pending = { id: this.nextId++, nonce: randomUUID(), file, started: Date.now(), resolve };
      this.holdEventLoop(true);
      if (this.ready) this.dispatch();
    });
  }

  /**
   * Stop the child at once (SIGKILL), with every process DAG files started in it; a file in
   * progress gets `reason` as its error.
   */
  kill(reason = 'parser process was stopped'): void {
    if (this.dead) return;
    this.finish(undefined, reason);
    this.dead = true;
    clearTimeout(this.startupTimer);
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null)
      killProcessesOf(this.child.pid, this.tag);
    this.child.kill('SIGKILL');
  }

  /** Let an idle child exit by itself (it exits when the IPC channel closes). */
  retire(): void {
    if (this.dead) return;
    if (this.pending) return this.kill();
    this.dead = true;
    clearTimeout(this.startupTimer);
    if (this.child.connected) this.child.disconnect();
    // In case user code keeps it alive (timers, sockets), do not wait forever.
    setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
  }

  private dispatch(): void {
    const pending = this.pending;
    if (!pending) return;
    pending.started = Date.now();
    pending.timer = setTimeout(() => {
      log.warn(
        `import of ${pending.file} timed out after ${formatTimeout(this.options.importTimeoutMs)}; ` +
          `killing parser process ${this.child.pid}`,
      );
      this.kill(`import timed out after ${formatTimeout(this.options.importTimeoutMs)}`);
    }, this.options.importTimeoutMs);
    const message: ParentToChildMessage = {
      type: 'parse',
      id: pending.id,
      nonce: pending.nonce,
      file: pending.file,
      defaults: this.options.defaults,
    };
    this.child.send(message, (err) => {
      if (err) this.kill(`cannot talk to parser process: ${err.message}`);
    });
  }

  private onMessage(message: ChildToParentMessage): void {
    if (message?.type === 'ready') {
      if (this.ready) return;
      this.ready = true;
      clearTimeout(this.startupTimer);
      this.dispatch();
      return;
    }
    // Once killed or retired, nothing it says matters (a forging file may say a lot).
    if ((message?.type !== 'result' && message?.type !== 'fatal') || this.dead) return;
    const pending = this.pending;
    if (message.type === 'result' && (!pending || message.nonce !== pending.nonce)) {
      this.forged();
      return;
    }
    if (message.type === 'result') {
      this.finish(checkedResult(message.result, pending!));
      if (message.pollution) {
        // The file's result stands; the realm it leaves behind must not parse another file.
        log.info(
          `retiring parser process ${this.child.pid}: ${pending!.file} changed ` +
            `${message.pollution.slice(0, 5).join(', ')}${message.pollution.length > 5 ? ', …' : ''}`,
        );
        this.kill();
      }
    } else {
      if (pending && message.nonce === pending.nonce)
        this.finish(undefined, `parser process crashed: ${oneLineError(String(message.error))}`);
      else {
        log.warn(
          `parser process ${this.child.pid} crashed after importing ${this.lastFile ?? 'nothing'}: ` +
            oneLineError(String(message.error)),
        );
        this.doomed = true;
      }
      this.dead = true; // it exits by itself right after
    }
  }

  /**
   * A result the child's handler did not send: user code is talking on the channel. In a child
   * that parsed nothing before, that code is the pending file's own; in a used one it may be an
   * earlier file's stray timer, so the pending file is retried in another child (`doomed`).
   */
  private forged(): void {
    log.warn(`parser process ${this.child.pid} sent a result it was not asked for; killing it`);
    if (this.filesParsed > 0) this.doomed = true;
    this.kill('the file sent messages on the parser channel (process.send)');
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.startupTimer);
    // Whatever DAG files left in the child's process group, or carrying its tag, goes with it.
    if (this.child.pid !== undefined) tryKillGroup(this.child.pid);
    killTaggedProcesses(this.tag);
    this.dead = true;
    // V8 aborts on a full heap; the line saying so may still be in the stderr pipe.
    if (signal === 'SIGABRT' && !this.heapDeath.seen && this.pending && this.child.stderr) {
      const stderr = this.child.stderr;
      const decide = (): void => {
        clearTimeout(grace);
        stderr.off('close', decide);
        this.finishCrashed(code, signal);
      };
      const grace = setTimeout(decide, ABORT_STDERR_GRACE_MS);
      stderr.once('close', decide);
      return;
    }
    this.finishCrashed(code, signal);
  }

  private finishCrashed(code: number | null, signal: NodeJS.Signals | null): void {
    // A signal, not an exit code: a file merely printing V8's words and exiting is not blamed on memory.
    if (this.heapDeath.seen && signal !== null) {
      if (this.pending) log.warn(`parser process ${this.child.pid} ran out of memory importing ${this.pending.file}`);
      this.finish(
        undefined,
        `the file ran out of memory while importing ` +
          `(parser heap limit ${this.options.maxHeapMb} MB, scheduler.parser_max_heap)`,
      );
      return;
    }
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    this.finish(undefined, `parser process crashed (${how}) while importing the file`);
  }

  private finish(result: FileParseResult | undefined, error?: string): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    this.holdEventLoop(false);
    this.filesParsed += 1;
    this.lastFile = pending.file;
    if (!result && this.doomed) return pending.resolve(null);
    pending.resolve(
      result ?? { file: pending.file, dags: [], source: '', error, durationMs: Date.now() - pending.started },
    );
  }

  /**
   * An idle child must not keep the parent alive (a CLI command that parsed DAGs should exit
   * even if nobody closes the pool); a busy one must, or a pending parse could be dropped.
   */
  private holdEventLoop(hold: boolean): void {
    const handles: Array<{ ref(): unknown; unref(): unknown } | null | undefined> = [
      this.child,
      this.child.channel,
      this.child.stdout as Socket | null,
      this.child.stderr as Socket | null,
    ];
    for (const handle of handles) {
      if (hold) handle?.ref();
      else handle?.unref();
    }
  }

  private forwardOutput(chunk: Buffer): void {
    const text = chunk.toString('utf8').trimEnd();
    if (text) log.debug(`parser output${this.pending ? ` (${this.pending.file})` : ''}: ${text}`);
  }
}

/**
 * The result as the DAG processor may store it: always for the file that was asked for (whatever
 * `file` says), with the fields it reads of the types it expects.
 */
function checkedResult(result: FileParseResult, pending: Pending): FileParseResult {
  const durationMs = Date.now() - pending.started;
  if (
    typeof result !== 'object' ||
    result === null ||
    !Array.isArray(result.dags) ||
    typeof result.source !== 'string' ||
    (result.error !== undefined && typeof result.error !== 'string')
  )
    return { file: pending.file, dags: [], source: '', error: 'parser process sent a malformed result', durationMs };
  return { ...result, file: pending.file };
}

function tryKillGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is empty
  }
}
