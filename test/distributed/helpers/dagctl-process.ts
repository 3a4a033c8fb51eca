import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { eventually, GiveUp } from '../../helpers/eventually';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

/** A `dagctl …` command running from the compiled CLI, with its output kept for assertions. */
export class DagctlProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `shellSetup`: bash commands run before the CLI is exec'd in the same process, e.g. `ulimit -f 64`. */
  constructor(
    readonly args: string[],
    env: NodeJS.ProcessEnv,
    shellSetup?: string,
  ) {
    const [command, argv] = shellSetup
      ? ['bash', ['-c', `${shellSetup}; exec "$0" "$@"`, process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
    this.child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString();
      if (process.env.DAGCTL_TEST_SHOW_CHILDREN)
        process.stderr.write(`[${args[0]} ${this.child.pid}] ${chunk.toString()}`);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Wait until the output matches (or fail with the output so far; at once if the process exited). */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await eventually(
      () => {
        if (pattern.test(this.output)) return;
        const message = `dagctl ${this.args.join(' ')} has not printed ${pattern}: ${this.output}`;
        throw this.running ? new Error(message) : new GiveUp(`${message} (exited)`);
      },
      { what: `${pattern} in the output`, timeoutMs },
    );
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `dagctl worker -q QUEUES -c N`, resolved once it consumes. */
export async function startWorkerProcess(
  env: NodeJS.ProcessEnv,
  options: { queues?: string; concurrency?: number } = {},
): Promise<DagctlProcess> {
  const worker = new DagctlProcess(
    ['worker', '-q', options.queues ?? 'default', '-c', String(options.concurrency ?? 4)],
    env,
  );
  await worker.waitForOutput(/consuming queue/);
  return worker;
}
