import fs from 'node:fs';
import path from 'node:path';
import type { BenchHome } from './bench-home';
import { REPO_ROOT, LoopStats } from './engine';
import { BenchProcess, startDagctl, startNode } from './processes';

export interface LoopRecord extends LoopStats {
  at: number;
}

export interface SchedulerProcess {
  proc: BenchProcess;
  /** Stop it; with a probe, returns its loop records. */
  stop(): Promise<LoopRecord[]>;
}

export const JITI_CLI = path.join(REPO_ROOT, 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs');
const PROBE = path.join(__dirname, 'scheduler-probe.ts');

export interface SchedulerStartOptions {
  /** Run runScheduler in a probe process that records loop durations (else `dagctl scheduler`). */
  probe?: boolean;
  /** Write a V8 CPU profile of the scheduler process into this folder. */
  cpuProfDir?: string;
  /** With a probe: tally time per SQL statement into this file (see sql-profiler.ts). */
  sqlProfileFile?: string;
  startTimeoutMs?: number;
}

/**
 * Start the scheduler on the home and wait until its loop runs ("scheduler started": the executor
 * is up) and its DAG processor's first pass is done (DAGs are scheduled as their files are synced,
 * but scenarios expect every DAG of the home to be there).
 */
export async function startScheduler(home: BenchHome, options: SchedulerStartOptions = {}): Promise<SchedulerProcess> {
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const statsFile = path.join(home.dir, 'loop-stats.json');
  // With --profile, the probe also tallies SQL time per statement next to the CPU profile.
  const sqlProfileFile =
    options.sqlProfileFile ??
    (options.cpuProfDir ? path.join(options.cpuProfDir, `sql-${path.basename(home.dir)}.json`) : undefined);
  const env = sqlProfileFile ? { ...home.env, DAGCTL_BENCH_SQL_PROFILE: sqlProfileFile } : home.env;
  const proc =
    options.probe || options.cpuProfDir
      ? startNode(JITI_CLI, [PROBE, statsFile], { name: 'scheduler', env, cwd: home.dir, nodeArgs })
      : startDagctl(['scheduler'], { name: 'scheduler', env: home.env, cwd: home.dir, nodeArgs });
  try {
    await proc.waitForLog(/scheduler started/, options.startTimeoutMs ?? 120_000);
    await proc.waitForLog(/first pass over the dags folder done/, options.startTimeoutMs ?? 120_000);
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
  return {
    proc,
    async stop() {
      await proc.stop(60_000);
      if (!fs.existsSync(statsFile)) return [];
      return JSON.parse(fs.readFileSync(statsFile, 'utf8')) as LoopRecord[];
    },
  };
}

/** `dagctl worker` for the bullmq executor (CPU-profiled into cpuProfDir if given); waits until it takes tries. */
export async function startWorker(home: BenchHome, concurrency?: number, cpuProfDir?: string): Promise<BenchProcess> {
  const args = ['worker', ...(concurrency ? ['-c', String(concurrency)] : [])];
  const nodeArgs = cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, '--cpu-prof-name=worker.${pid}.cpuprofile']
    : [];
  const proc = startDagctl(args, { name: 'worker', env: home.env, cwd: home.dir, nodeArgs });
  try {
    await proc.waitForLog(/takes tries from|consuming queue/, 60_000);
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
  return proc;
}
