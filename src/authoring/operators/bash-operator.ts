import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { DagDefinitionError, errorMessage } from '../../core/errors';
import { identifyProcess, isPidReused } from '../../core/process-table';
import { TaskSkipped } from '../../core/task-signals';
import { tryEnvironment } from '../../core/try-processes';
import { BaseOperator } from '../base-operator';
import type { TaskContext } from '../task-context';
import type { TaskOptions } from '../task-options';

export interface BashOperatorOptions extends TaskOptions {
  /** Run with `bash -c`; templated. */
  bashCommand: string;
  /** Extra environment variables; templated. */
  env?: Record<string, string>;
  /** Merge `env` over the current environment (default true); false → only `env`. */
  appendEnv?: boolean;
  /** Working directory; templated. */
  cwd?: string;
}

/** Exit code that marks the task skipped (Airflow's skip_on_exit_code default). */
export const BASH_SKIP_EXIT_CODE = 99;
/** How long a killed command gets between SIGTERM and SIGKILL. */
export const BASH_KILL_GRACE_MS = 5000;
/** The last line is kept for the XCom; a line without newlines is capped so memory stays bounded. */
const MAX_LINE_CHARS = 64 * 1024;

/** Runs a shell command. Exit 0 → success with the last stdout line as XCom; 99 → skipped. */
export class BashOperator extends BaseOperator {
  override readonly templateFields: readonly string[] = ['bashCommand', 'env', 'cwd'];
  readonly bashCommand: string;
  readonly env: Record<string, string> | undefined;
  readonly appendEnv: boolean;
  readonly cwd: string | undefined;

  constructor(options: BashOperatorOptions) {
    super(options, ['bashCommand', 'env', 'appendEnv', 'cwd']);
    const { bashCommand, env, appendEnv = true, cwd } = this.mergedOptions as Partial<BashOperatorOptions>;
    if (typeof bashCommand !== 'string' || bashCommand.trim() === '') {
      throw new DagDefinitionError(`${this.where}: option 'bashCommand' must be a non-empty string`);
    }
    if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env))) {
      throw new DagDefinitionError(`${this.where}: option 'env' must be an object of strings`);
    }
    if (typeof appendEnv !== 'boolean')
      throw new DagDefinitionError(`${this.where}: option 'appendEnv' must be true or false`);
    if (cwd !== undefined && typeof cwd !== 'string')
      throw new DagDefinitionError(`${this.where}: option 'cwd' must be a string`);
    this.bashCommand = bashCommand;
    this.env = env;
    this.appendEnv = appendEnv;
    this.cwd = cwd;
  }

  async execute(ctx: TaskContext): Promise<string | undefined> {
    if (this.cwd !== undefined && !isDirectory(this.cwd))
      throw new Error(`cwd '${this.cwd}' is not an existing directory`);
    const { exitCode, signal, lastLine } = await runBash(this.bashCommand, this.processEnv(ctx), this.cwd, ctx.signal);
    if (exitCode === 0) return lastLine;
    if (exitCode === BASH_SKIP_EXIT_CODE)
      throw new TaskSkipped(`Bash command returned exit code ${BASH_SKIP_EXIT_CODE}`);
    if (ctx.signal.aborted) throw new Error(`Bash command was killed: ${abortReason(ctx.signal)}`);
    if (exitCode === null) throw new Error(`Bash command was killed by signal ${signal}`);
    throw new Error(`Bash command failed with exit code ${exitCode}`);
  }

  /**
   * Like Airflow's AIRFLOW_CTX_* variables, the command can see which try it is. They also let a
   * scheduler find the command's processes (core/try-processes) once whoever ran the try is dead.
   */
  private processEnv(ctx: TaskContext): NodeJS.ProcessEnv {
    const base = this.appendEnv ? { ...process.env } : {};
    const env: NodeJS.ProcessEnv = { ...base };
    for (const [key, value] of Object.entries(this.env ?? {})) env[key] = String(value);
    // This process runs the try (a task process, or `dagctl tasks run`): its pid is the try's.
    Object.assign(env, tryEnvironment(ctx, ctx.tryNumber, process.pid));
    env.DAGCTL_CTX_LOGICAL_DATE = ctx.ts;
    return env;
  }
}

interface BashResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  lastLine: string | undefined;
}

/** Spawn `bash -c` in its own process group, stream its output through, kill the group on abort. */
function runBash(
  command: string,
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
  abort: AbortSignal,
): Promise<BashResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const tracker = new LastLineTracker();
    // Taken now, before bash can have been reaped: its pid is the group's number.
    const bash = child.pid === undefined ? null : identifyProcess(child.pid);
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals): void => {
      // 'close' may come long after bash exited (a process outside the group holding its output):
      // once the group is empty, its number may be the pid, and the group, of an unrelated process.
      if (bash === null || isPidReused(bash)) return;
      try {
        process.kill(-bash.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const onAbort = (): void => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), BASH_KILL_GRACE_MS);
      killTimer.unref();
    };
    if (abort.aborted) onAbort();
    else abort.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tracker.push(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('error', (err) => {
      abort.removeEventListener('abort', onAbort);
      reject(new Error(`cannot start bash: ${err.message}`));
    });
    child.on('close', (exitCode, signal) => {
      abort.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode, signal, lastLine: tracker.lastLine() });
    });
  });
}

/** Remembers only the last non-empty line of a stream. */
class LastLineTracker {
  private partial = '';
  private last: string | undefined;

  push(text: string): void {
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop()!.slice(-MAX_LINE_CHARS);
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i].trim() !== '') {
        this.last = lines[i].slice(-MAX_LINE_CHARS);
        break;
      }
    }
  }

  lastLine(): string | undefined {
    return this.partial.trim() !== '' ? this.partial : this.last;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason === undefined || reason === null ? 'aborted' : errorMessage(reason);
}
