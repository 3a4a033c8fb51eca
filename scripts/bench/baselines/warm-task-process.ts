import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fanoutDag } from '../dag-sources';
import { removeWhenBenchEnds } from '../deferred-removal';
import { engine } from '../engine';
import { guardVariant } from '../guard-variant';
import { readStat, ticksPerSecond } from '../proc-stats';
import { Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { median } from '../stats';

type TaskWorkload = import('../../../src/core/executor').TaskWorkload;
type TaskProcessPool = import('../../../src/runner/task-process-pool').TaskProcessPool;

const DAG_ID = 'bench_fanout';
const TASKS_PER_RUN = 100;

/**
 * What running one no-op try in a warm task process costs, with no scheduler, database or Redis
 * around it: the pool of the local executor and the bullmq worker, fed tries as fast as its
 * children take them. Per try: CPU of the children (IPC, the contract's log folder and file, the
 * runner) and of the parent. With one child it is the floor every executor pays per try; with the
 * worker's default 8 children, what a worker's pool pays on these 2 cores.
 */
export const warmTaskProcess: Scenario = {
  name: 'baseline-task-process',
  kind: 'baseline',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.taskProcessTries;
    const out: Figure[] = [];
    for (const children of [1, 8]) {
      const spec: FigureSpec = {
        scenario: 'baseline: warm task process',
        metric: `CPU per no-op try in the task processes (${children === 1 ? '1 child' : `${children} children`})`,
        executor: '-',
        database: '-',
        unit: 'ms',
        size: `${n} tries per repetition`,
        target: null,
      };
      out.push(
        ...(await guardVariant(bench, [spec], async () => {
          const perTry: number[] = [];
          const parentPerTry: number[] = [];
          const rates: number[] = [];
          await withPool(children, async (pool, workload) => {
            await runTries(pool, workload, 0, Math.min(n, 500), children); // warm-up: load the DAG file, JIT
            for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
              const pids = pool.pids();
              const before = pids.map(cpuSeconds);
              const parentBefore = process.cpuUsage();
              const started = performance.now();
              await runTries(pool, workload, (rep + 1) * n, n, children);
              const wallMs = performance.now() - started;
              const parent = process.cpuUsage(parentBefore);
              const childSeconds = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - before[i], 0);
              perTry.push((childSeconds * 1000) / n);
              parentPerTry.push((parent.user + parent.system) / 1000 / n);
              rates.push((n / wallMs) * 1000);
            }
          });
          const notes = [
            `parent (pool) ${median(parentPerTry).toFixed(3)} ms per try; ${Math.round(median(rates))} tries/s; ` +
              'each try creates its own log folder and file',
          ];
          return [measured({ ...spec, notes }, perTry)];
        })),
      );
    }
    return out;
  },
};

function cpuSeconds(pid: number): number {
  const stat = readStat(pid);
  return stat ? (stat.times[0] + stat.times[1]) / ticksPerSecond() : 0;
}

/** A pool of `size` warm children on a fresh home holding a no-op fanout DAG. */
async function withPool(
  size: number,
  work: (pool: TaskProcessPool, workload: (i: number) => TaskWorkload) => Promise<void>,
): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-bench-pool-'));
  const dagFile = path.join(home, 'dags', 'fanout.ts');
  fs.mkdirSync(path.dirname(dagFile), { recursive: true });
  fs.writeFileSync(dagFile, fanoutDag(DAG_ID, TASKS_PER_RUN));
  const config = engine.config().loadConfig({ DAGCTL_HOME: home });
  const pool = new (engine.taskProcessPool().TaskProcessPool)({
    size,
    env: engine.childEnv().childEnvFor(config),
    maxTasksPerChild: Number.MAX_SAFE_INTEGER,
    baseLogFolder: config.logging.base_log_folder,
  });
  const workload = (i: number): TaskWorkload => ({
    key: {
      dagId: DAG_ID,
      runId: `bench_${Math.floor(i / TASKS_PER_RUN)}`,
      taskId: `t${String(i % TASKS_PER_RUN).padStart(5, '0')}`,
      mapIndex: -1,
    },
    tryNumber: 1,
    fileloc: dagFile,
    dagHash: null,
    queue: 'default',
    priority: 1,
    executionTimeoutMs: null,
    pool: 'default_pool',
    poolSlots: 1,
    logicalDate: '2026-01-01T00:00:00+00:00',
    dataIntervalStart: null,
    dataIntervalEnd: null,
    runType: 'manual',
    conf: {},
    maxTries: 0,
    xcoms: {},
    firstRescheduleDate: null,
  });
  try {
    await work(pool, workload);
  } finally {
    await pool.close(5_000);
    removeWhenBenchEnds(home);
  }
}

/** Tries `from … from+count-1`, `concurrency` at a time (one per child); any failure throws. */
async function runTries(
  pool: TaskProcessPool,
  workload: (i: number) => TaskWorkload,
  from: number,
  count: number,
  concurrency: number,
): Promise<void> {
  let next = from;
  const lane = async (): Promise<void> => {
    while (next < from + count) {
      const result = await pool.run(workload(next++));
      if (result.kind !== 'finished' || result.outcome.state !== 'success')
        throw new Error(`a no-op try did not succeed: ${JSON.stringify(result)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
