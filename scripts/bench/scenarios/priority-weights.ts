import type { SerializedTask } from '../../../src/core/serialized-dag';
import { engine } from '../engine';
import { guardVariant } from '../guard-variant';
import { atMost, Figure, FigureSpec, measured } from '../result';
import type { BenchContext, Scenario } from '../scenario';

/**
 * weights: computing the priority weights of a big DAG (done when its serialized form changes),
 * in-process on the compiled engine: a fan-out/fan-in (start → N-2 middles → end) under the
 * downstream and the upstream rule, and a chain of N. Each sample is one computation; the result
 * is checked so a fast wrong answer is not a figure.
 */
export const weights: Scenario = {
  name: 'weights',
  kind: 'scenario',
  async run(bench: BenchContext): Promise<Figure[]> {
    const n = bench.sizes.weightTasks;
    const { computePriorityWeights } = engine.priorityWeights();
    const samples = bench.quick ? 3 : 10;
    const cases = [
      { shape: 'fan-out/fan-in, downstream rule', tasks: fanOutFanIn(n, 'downstream'), check: ['start', n] },
      { shape: 'fan-out/fan-in, upstream rule', tasks: fanOutFanIn(n, 'upstream'), check: ['end', n] },
      { shape: 'chain, downstream rule', tasks: chain(n), check: ['t0', n] },
    ] as const;
    const out: Figure[] = [];
    for (const c of cases) {
      const spec: FigureSpec = {
        scenario: 'priority weights',
        metric: `compute weights of a ${c.shape}`,
        executor: '-',
        database: '-',
        unit: 'ms',
        size: `${n} tasks`,
        target: atMost(1000, '≤ 1 s'),
      };
      out.push(
        ...(await guardVariant(bench, [spec], async () => {
          const times: number[] = [];
          for (let i = 0; i < samples; i += 1) {
            const began = performance.now();
            const result = computePriorityWeights([...c.tasks]);
            times.push(performance.now() - began);
            const [taskId, expected] = c.check;
            if (result.get(taskId) !== expected)
              throw new Error(`weight of ${taskId} is ${result.get(taskId)}, expected ${expected}`);
          }
          return [measured(spec, times)];
        })),
      );
    }
    return out;
  },
};

function task(taskId: string, weightRule: 'downstream' | 'upstream'): SerializedTask {
  return {
    taskId,
    operator: 'EmptyOperator',
    upstream: [],
    downstream: [],
    triggerRule: 'all_success',
    retries: 0,
    retryDelayMs: 300_000,
    retryExponentialBackoff: false,
    maxRetryDelayMs: null,
    executionTimeoutMs: null,
    pool: 'default_pool',
    poolSlots: 1,
    priorityWeight: 1,
    weightRule,
    queue: 'default',
    dependsOnPast: false,
    templateFields: {},
  };
}

function link(from: SerializedTask, to: SerializedTask): void {
  from.downstream.push(to.taskId);
  to.upstream.push(from.taskId);
}

function fanOutFanIn(n: number, rule: 'downstream' | 'upstream'): SerializedTask[] {
  const start = task('start', rule);
  const end = task('end', rule);
  const middle = Array.from({ length: n - 2 }, (_, i) => task(`m${i}`, rule));
  for (const m of middle) {
    link(start, m);
    link(m, end);
  }
  return [start, ...middle, end];
}

function chain(n: number): SerializedTask[] {
  const tasks = Array.from({ length: n }, (_, i) => task(`t${i}`, 'downstream'));
  for (let i = 1; i < n; i += 1) link(tasks[i - 1], tasks[i]);
  return tasks;
}
