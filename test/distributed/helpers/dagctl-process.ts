import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

/** A `dagctl …` command running from the compiled CLI, with its output kept for assertions. */
export class DagctlProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

  /** Wait until the output matches (or fail with the output so far). */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running)
        throw new Error(`dagctl ${this.args.join(' ')} exited before printing ${pattern}: ${this.output}`);
      if (Date.now() > deadline)
        throw new Error(
          `dagctl ${this.args.join(' ')} did not print ${pattern} within ${timeoutMs} ms: ${this.output}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
