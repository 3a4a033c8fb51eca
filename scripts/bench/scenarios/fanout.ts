import { BullmqFanoutOccupancy, describeBullmqFanoutOccupancy, traceBullmqFanout } from '../bullmq-fanout-trace';
import { CpuParts, cpuPerTask, CpuWatch, describeCpuPerTask, readCpuParts } from '../cpu-per-task';
import { bashFanoutDag, fanoutDag } from '../dag-sources';
import { taskTimes, triggerAndWait } from '../dag-runs';
import { RunningDagScenario, withDagScenario } from '../dag-scenario';
import { guardVariant } from '../guard-variant';
import { describeMachine } from '../machine';
import { atLeast, Figure, FigureSpec, measured, Target } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { median } from '../stats';

interface FanoutVariant {
  executor: 'local' | 'bullmq';
  database: 'sqlite' | 'postgres';
  target(bench: BenchContext): Target | null;
}

/**
 * N independent tasks in one run: tasks/s = N / (trigger → run success). The span from the first
 * task start to the last task end is given in the notes.
 */
async function fanoutFigures(bench: BenchContext, scenario: string, n: number, source: string, variants: FanoutVariant[]): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const v of variants) {
    const target = v.target(bench);
    const spec: FigureSpec = { scenario, metric: 'tasks/s, trigger → run success', executor: v.executor, database: v.database, unit: 'tasks/s', size: `${n} tasks`, target };
    out.push(...await guardVariant(bench, [spec], async () => {
      const { value } = await withDagScenario(bench, { executor: v.executor, database: v.database, files: { 'fanout.ts': source } }, async (scenario) => {
        const { ctx } = scenario;
        const rates: number[] = [];
        const spans: number[] = [];
        const occupancies: BullmqFanoutOccupancy[] = [];
        const watch = cpuWatchOf(scenario);
        let cpu: CpuParts | null = null;
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          const runId = `bench_${rep}`;
          const cpuBefore = readCpuParts(watch);
          const run = await triggerAndWait(ctx, 'bench_fanout', runId, 120_000 + n * 500);
          cpu = cpuPerTask(cpuBefore, readCpuParts(watch), n);
          rates.push(n / ((run.endedAt - run.triggeredAt) / 1000));
          const tasks = await taskTimes(ctx, 'bench_fanout', runId);
          spans.push(n / ((Math.max(...tasks.map((t) => t.end)) - Math.min(...tasks.map((t) => t.start))) / 1000));
          if (v.executor === 'bullmq') {
            const occupancy = await traceBullmqFanout(ctx, runId, tasks);
            if (occupancy) occupancies.push(occupancy);
          }
        }
        return { rates, spans, occupancies, cpu };
      });
      const notes = [`first task start → last task end: ${Math.round(median(value.spans))} tasks/s (median)`, 'default concurrency limits (core.parallelism 32, max_active_tasks_per_dag 16)'];
      // The last repetition's: the first one also pays for starting warm task processes.
      const occupancy = value.occupancies[value.occupancies.length - 1];
      if (occupancy) notes.push(describeBullmqFanoutOccupancy(occupancy));
      if (value.cpu) notes.push(describeCpuPerTask(value.cpu, target ? (describeMachine().cores * 1000) / target.value : null));
      if (v.executor === 'bullmq' && target === null) notes.push('no target: the raw BullMQ baseline did not run');
      return [measured({ ...spec, notes }, value.rates)];
    }));
  }
  return out;
}

export const fanout1000: Scenario = {
  name: 'fanout1000',
  kind: 'scenario',
  run: (bench) => fanoutFigures(bench, 'fanout1000', bench.sizes.fanout, fanoutDag('bench_fanout', bench.sizes.fanout), [
    { executor: 'local', database: 'sqlite', target: () => atLeast(1000, '≥ 1,000/s') },
    {
      executor: 'bullmq', database: 'postgres',
      target: (b) => (b.baselines.bullmqDrainPerSec ? atLeast(b.baselines.bullmqDrainPerSec * 0.25, `≥ 25 % of raw BullMQ drain (${Math.round(b.baselines.bullmqDrainPerSec * 0.25)}/s)`) : null),
    },
  ]),
};

export const bashFanout: Scenario = {
  name: 'bash-fanout',
  kind: 'scenario',
  run: (bench) => fanoutFigures(bench, 'bash fanout', bench.sizes.bashFanout, bashFanoutDag('bench_fanout', bench.sizes.bashFanout), [
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
