import { BullmqFanoutOccupancy, describeBullmqFanoutOccupancy, traceBullmqFanout } from '../bullmq-fanout-trace';
import { CpuParts, cpuPerTask, CpuWatch, describeCpuPerTask, readCpuParts } from '../cpu-per-task';
import { bashFanoutDag, fanoutDag } from '../dag-sources';
import { taskTimes, triggerAndWait } from '../dag-runs';
import { RunningDagScenario, withDagScenario } from '../dag-scenario';
import { guardVariant } from '../guard-variant';
import { describeMachine } from '../machine';
import type { LoopRecord } from '../scheduler-process';
import type { SqlProfileEntry } from '../sql-profiler';
import { atLeast, Figure, FigureSpec, measured, Target } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { median, round } from '../stats';

interface FanoutVariant {
  executor: 'local' | 'bullmq';
  database: 'sqlite' | 'postgres';
  target(bench: BenchContext): Target | null;
}

/**
 * N independent tasks in one run: tasks/s = N / (trigger → run success). The span from the first
 * task start to the last task end is given in the notes.
 */
async function fanoutFigures(
  bench: BenchContext,
  scenario: string,
  n: number,
  source: string,
  variants: FanoutVariant[],
): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const v of variants) {
    const target = v.target(bench);
    const spec: FigureSpec = {
      scenario,
      metric: 'tasks/s, trigger → run success',
      executor: v.executor,
      database: v.database,
      unit: 'tasks/s',
      size: `${n} tasks`,
      target,
    };
    out.push(
      ...(await guardVariant(bench, [spec], async () => {
        const setup = {
          executor: v.executor,
          database: v.database,
          probe: true,
          sqlProfile: true,
          files: { 'fanout.ts': source },
        };
        const { value, loops, sql } = await withDagScenario(bench, setup, async (scenario) => {
          const { ctx } = scenario;
          const rates: number[] = [];
          const spans: number[] = [];
          const occupancies: BullmqFanoutOccupancy[] = [];
          const watch = cpuWatchOf(scenario);
          let cpu: CpuParts | null = null;
          let lastRun: { from: number; to: number } | null = null;
          for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
            const runId = `bench_${rep}`;
            const cpuBefore = readCpuParts(watch);
            const run = await triggerAndWait(ctx, 'bench_fanout', runId, 120_000 + n * 500);
            cpu = cpuPerTask(cpuBefore, readCpuParts(watch), n);
            rates.push(n / ((run.endedAt - run.triggeredAt) / 1000));
            lastRun = { from: run.triggeredAt, to: run.endedAt };
            const tasks = await taskTimes(ctx, 'bench_fanout', runId);
            spans.push(n / ((Math.max(...tasks.map((t) => t.end)) - Math.min(...tasks.map((t) => t.start))) / 1000));
            if (v.executor === 'bullmq') {
              const occupancy = await traceBullmqFanout(ctx, runId, tasks);
              if (occupancy) occupancies.push(occupancy);
            }
          }
          return { rates, spans, occupancies, cpu, lastRun };
        });
        const notes = [
          `first task start → last task end: ${Math.round(median(value.spans))} tasks/s (median)`,
          'default concurrency limits (core.parallelism 32, max_active_tasks_per_dag 16)',
        ];
        // The last repetition's: the first one also pays for starting warm task processes.
        const occupancy = value.occupancies[value.occupancies.length - 1];
        if (occupancy) notes.push(describeBullmqFanoutOccupancy(occupancy));
        if (value.cpu)
          notes.push(describeCpuPerTask(value.cpu, target ? (describeMachine().cores * 1000) / target.value : null));
        if (value.lastRun) notes.push(describeSchedulerLoops(loops, value.lastRun, n, sql));
        if (v.executor === 'bullmq' && target === null) notes.push('no target: the raw BullMQ baseline did not run');
        return [measured({ ...spec, notes }, value.rates)];
      })),
    );
  }
  return out;
}

export const fanout1000: Scenario = {
  name: 'fanout1000',
  kind: 'scenario',
  run: (bench) =>
    fanoutFigures(bench, 'fanout1000', bench.sizes.fanout, fanoutDag('bench_fanout', bench.sizes.fanout), [
      { executor: 'local', database: 'sqlite', target: () => atLeast(1000, '≥ 1,000/s') },
      {
        executor: 'bullmq',
        database: 'postgres',
        target: (b) =>
          b.baselines.bullmqDrainPerSec
            ? atLeast(
                b.baselines.bullmqDrainPerSec * 0.25,
                `≥ 25 % of raw BullMQ drain (${Math.round(b.baselines.bullmqDrainPerSec * 0.25)}/s)`,
              )
            : null,
      },
    ]),
};

export const bashFanout: Scenario = {
  name: 'bash-fanout',
  kind: 'scenario',
  run: (bench) =>
    fanoutFigures(bench, 'bash fanout', bench.sizes.bashFanout, bashFanoutDag('bench_fanout', bench.sizes.bashFanout), [
      { executor: 'local', database: 'sqlite', target: () => atLeast(150, '≥ 150/s') },
    ]),
};

/** The processes whose CPU a fanout's tasks cost: scheduler, worker, their children, the database and Redis. */
function cpuWatchOf({ home, scheduler, worker }: RunningDagScenario): CpuWatch {
  return {
    schedulerPid: scheduler.proc.pid,
    workerPid: worker?.pid ?? null,
    postgresDatabase: home.database === 'postgres' ? new URL(home.databaseUrl).pathname.slice(1) : null,
    redis: home.executor === 'bullmq',
  };
}

/**
 * How the scheduler got through the last repetition: its loops (the probe times each), the tasks
 * each loop moved on, and — over the whole scenario — the SQL statements per loop and their
 * average time from sending to result, which on a busy machine is mostly waiting for a CPU.
 */
function describeSchedulerLoops(
  loops: LoopRecord[],
  run: { from: number; to: number },
  tasks: number,
  sql: SqlProfileEntry[] | null,
): string {
  const during = loops.filter((l) => l.at >= run.from && l.at <= run.to + 50);
  if (during.length === 0) return 'scheduler loops: none recorded during the last repetition';
  const p50 = round(median(during.map((l) => l.durationMs)));
  let text =
    `scheduler loops in the last repetition: ${during.length} ` +
    `(${round(tasks / during.length)} tasks per loop), p50 ${p50} ms`;
  if (sql && sql.length > 0 && loops.length > 0) {
    const calls = sql.reduce((sum, e) => sum + e.calls, 0);
    const ms = sql.reduce((sum, e) => sum + e.totalMs, 0);
    text +=
      `; SQL over the scenario: ${round(calls / loops.length)} statements per loop, ` +
      `${round(ms / calls)} ms each from sending to result`;
  }
  return text;
}
