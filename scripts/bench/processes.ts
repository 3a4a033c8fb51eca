import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI_MAIN } from './engine';
import { GiveUp, settlesWithin, waitUntil } from './wait-until';

/** A process the benchmark started (detached: its own process group, so stop() ends its children too). */
export interface BenchProcess {
  pid: number;
  name: string;
  logFile: string;
  exited(): boolean;
  log(): string;
  /** Wait for a line matching `pattern` in its output. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL to its group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const started = new Set<BenchProcess>();

export interface StartOptions {
  name: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** Start `node <script> args…` with output going to a log file in `cwd`. */
export function startNode(script: string, args: string[], options: StartOptions): BenchProcess {
  const logFile = path.join(options.cwd, `${options.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  let exitedFlag = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    }),
  );
  const readLog = (): string => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const proc: BenchProcess = {
    pid: child.pid ?? -1,
    name: options.name,
    logFile,
    exited: () => exitedFlag,
    log: readLog,
    async waitForLog(pattern, timeoutMs) {
      await waitUntil(
        `${options.name} to log ${pattern}`,
        () => {
          if (pattern.test(readLog())) return true;
          if (exitedFlag) throw new GiveUp(`${options.name} exited: ${tail(readLog())}`);
          return undefined;
        },
        timeoutMs,
        25,
      );
    },
    async stop(graceMs = 30_000) {
      started.delete(proc);
      if (exitedFlag || !child.pid) return;
      signalGroup(child.pid, 'SIGTERM');
      if (!(await settlesWithin(exit, graceMs))) signalGroup(child.pid, 'SIGKILL');
      await settlesWithin(exit, 5_000);
      // Children of the group (warm task processes, parsers) must not outlive the scenario.
      signalGroup(child.pid, 'SIGKILL');
    },
  };
  started.add(proc);
  return proc;
}

/** Start a dagctl CLI command (`node dist/cli/main.js …`). */
export function startDagctl(args: string[], options: StartOptions): BenchProcess {
  return startNode(CLI_MAIN, args, options);
}

/** Run a dagctl CLI command to completion; throws with its output on failure. */
export function runDagctl(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 60_000): string {
  const result = spawnSync(process.execPath, [CLI_MAIN, ...args], { env, cwd, encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0)
    throw new Error(
      `dagctl ${args[0]} ${args[1] ?? ''} failed: ${tail(`${result.stderr}${result.stdout}`) || result.error?.message}`,
    );
  return result.stdout;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stop everything still running (on errors and Ctrl-C). */
export async function stopAllStarted(): Promise<void> {
  await Promise.all([...started].map((p) => p.stop(5_000)));
}

export function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join(' | ').slice(0, 1500);
}
