import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeWhenBenchEnds } from '../deferred-removal';
import { guardVariant } from '../guard-variant';
import { Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';

/**
 * What the contract's log layout costs each try before any task code runs: a new
 * `task_id=…` folder and `attempt=N.log` file, a header and an outcome line, closed. Measured as
 * this process's CPU (user + system) on the file system the bench homes live on.
 */
export const taskLogFiles: Scenario = {
  name: 'baseline-log-files',
  kind: 'baseline',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.logFiles;
    const spec: FigureSpec = {
      scenario: 'baseline: per-try log file',
      metric: "CPU to create one try's log folder and file (2 lines)",
      executor: '-',
      database: '-',
      unit: 'ms',
      size: `${n} files per repetition`,
      target: null,
    };
    return guardVariant(bench, [spec], async () => {
      const samples: number[] = [];
      for (let rep = 0; rep < bench.sizes.reps; rep += 1) {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dagctl-bench-logs-'));
        try {
          const header = Buffer.from(
            `[${new Date().toISOString()}] INFO - Starting attempt 1 of 1 for bench_fanout.t (pid ${process.pid})\n`,
          );
          const footer = Buffer.from(`[${new Date().toISOString()}] INFO - Task finished: success (took 0 ms)\n`);
          const cpu = process.cpuUsage();
          for (let i = 0; i < n; i += 1) {
            const folder = path.join(base, 'dag_id=bench_fanout', 'run_id=bench', `task_id=t${i}`);
            fs.mkdirSync(folder, { recursive: true });
            const fd = fs.openSync(path.join(folder, 'attempt=1.log'), 'a');
            fs.writeSync(fd, header);
            fs.writeSync(fd, footer);
            fs.closeSync(fd);
          }
          const used = process.cpuUsage(cpu);
          samples.push((used.user + used.system) / 1000 / n);
        } finally {
          removeWhenBenchEnds(base);
        }
      }
      return [measured(spec, samples)];
    });
  },
};
