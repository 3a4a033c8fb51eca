import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `dagctl …` (the built CLI) to completion. */
export function dagctl(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    cwd: env.DAGCTL_HOME,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function dagctlJson<T>(args: string[], env: NodeJS.ProcessEnv): T {
  const result = dagctl([...args, '-o', 'json'], env);
  if (result.status !== 0) throw new Error(`dagctl ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Start a long-running `dagctl …` (scheduler, standalone, worker) and collect its output. */
export function startDagctl(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    cwd: env.DAGCTL_HOME,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { child, output: () => output };
}

/** Stop a process started by startDagctl and wait for it to exit. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** A port that is very likely free (tests run in parallel workers). */
export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}
