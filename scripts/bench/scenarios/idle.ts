import { createBenchHome } from '../bench-home';
import { smallScheduledDag } from '../dag-sources';
import { parseDagsFolder } from '../dag-scenario';
import { AppContext, engine } from '../engine';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';
import { sampleTree, TreeSample } from '../proc-stats';
import { startScheduler } from '../scheduler-process';
import { sleep } from '../wait-until';

/**
 * idle: `dagctl scheduler` with N DAGs on a daily schedule starting in 2099 (nothing due). After it
 * settles, each repetition is a window of S seconds: CPU% = CPU seconds used by the scheduler's
 * process tree (from /proc/<pid>/stat, reaped children included) / S; RSS from /proc/<pid>/status
 * (VmRSS), the largest of 1-second samples.
 */
export const idle: Scenario = {
  name: 'idle',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const { idleDags, idleSeconds } = bench.sizes;
    const base = {
      scenario: 'idle',
      executor: 'local',
      database: 'sqlite',
      size: `${idleDags} DAGs, ${idleSeconds} s windows`,
    } as const;
    const cpuSpec: FigureSpec = {
      ...base,
      metric: 'CPU of the scheduler process tree',
      unit: '%',
      target: atMost(1, '≤ 1 %'),
    };
    const rssSpec: FigureSpec = {
      ...base,
      metric: 'RSS of the scheduler process',
      unit: 'MB',
      target: atMost(250, '≤ 250 MB'),
    };
    const treeSpec: FigureSpec = {
      ...base,
      metric: 'RSS of the scheduler process tree',
      unit: 'MB',
      target: atMost(250, '≤ 250 MB'),
    };
    return guardVariant(bench, [cpuSpec, rssSpec, treeSpec], async () => {
      const home = await createBenchHome({ executor: 'local', database: 'sqlite' });
      let ctx: AppContext | null = null;
      let scheduler: Awaited<ReturnType<typeof startScheduler>> | null = null;
      try {
        for (let i = 0; i < idleDags; i += 1) {
          const id = `idle_dag_${String(i).padStart(4, '0')}`;
          home.writeDag(`${id}.ts`, smallScheduledDag(id, 10));
        }
        await home.migrate();
        ctx = await home.openContext();
        await parseDagsFolder(ctx);
        await engine.appContext().closeAppContext(ctx);
        ctx = null;
        scheduler = await startScheduler(home, { cpuProfDir: bench.profileDir ?? undefined });
        await sleep(bench.quick ? 1_000 : 10_000);
        const cpu: number[] = [];
        const rss: number[] = [];
        const tree: number[] = [];
        let processes = 0;
        for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
          const first = sampleTree(scheduler.proc.pid);
          let last: TreeSample = first;
          let maxRss = first.rootRssMb;
          let maxTree = first.treeRssMb;
          const deadline = first.at + idleSeconds * 1000;
          while (performance.now() < deadline) {
            await sleep(Math.min(1_000, Math.max(1, deadline - performance.now())));
            last = sampleTree(scheduler.proc.pid);
            maxRss = Math.max(maxRss, last.rootRssMb);
            maxTree = Math.max(maxTree, last.treeRssMb);
            processes = Math.max(processes, last.processes);
          }
          cpu.push(((last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000)) * 100);
          rss.push(maxRss);
          tree.push(maxTree);
        }
        const notes = [
          `up to ${processes} processes in the tree (scheduler, parser and task children)`,
          'CPU over one core = 100 %',
        ];
        return [measured({ ...cpuSpec, notes }, cpu), measured(rssSpec, rss), measured({ ...treeSpec, notes }, tree)];
      } finally {
        await scheduler?.stop().catch(() => undefined);
        if (ctx)
          await engine
            .appContext()
            .closeAppContext(ctx)
            .catch(() => undefined);
        await home.cleanup();
      }
    });
  },
};
