import type { WeightRule } from '../../src/core/states';
import { computePriorityWeights } from '../../src/scheduler/priority-weights';
import { makeDag, makeTask } from './make-task';

// a → b → d, a → c → d, d → e ; own weights a=1 b=2 c=4 d=8 e=16
const ids = ['a', 'b', 'c', 'd', 'e'];
const edges: Array<[string, string]> = [
  ['a', 'b'],
  ['a', 'c'],
  ['b', 'd'],
  ['c', 'd'],
  ['d', 'e'],
];
const own: Record<string, number> = { a: 1, b: 2, c: 4, d: 8, e: 16 };
const diamond = (rule: WeightRule) => makeDag(ids, edges, (id) => ({ priorityWeight: own[id], weightRule: rule }));

describe('computePriorityWeights', () => {
  test('downstream: own plus every task below, each counted once', () => {
    const weights = computePriorityWeights(diamond('downstream'));
    // d and e are reachable from a along two paths but count once.
    expect(Object.fromEntries(weights)).toEqual({ a: 31, b: 26, c: 28, d: 24, e: 16 });
  });

  test('upstream: own plus every task above, each counted once', () => {
    const weights = computePriorityWeights(diamond('upstream'));
    expect(Object.fromEntries(weights)).toEqual({ a: 1, b: 3, c: 5, d: 15, e: 31 });
  });

  test('absolute: own weight only', () => {
    expect(Object.fromEntries(computePriorityWeights(diamond('absolute')))).toEqual(own);
  });

  test('rules mix per task and sum the own weights of relatives', () => {
    const tasks = makeDag(ids, edges, (id) => ({
      priorityWeight: own[id],
      weightRule: id === 'a' ? 'downstream' : id === 'e' ? 'upstream' : 'absolute',
    }));
    expect(Object.fromEntries(computePriorityWeights(tasks))).toEqual({ a: 31, b: 2, c: 4, d: 8, e: 31 });
  });

  test('edges given only as upstream lists count too', () => {
    const tasks = [makeTask('x', { priorityWeight: 3 }), makeTask('y', { upstream: ['x'], priorityWeight: 5 })];
    expect(computePriorityWeights(tasks).get('x')).toBe(8);
  });

  test('a cycle is reported with the tasks involved', () => {
    const tasks = makeDag(
      ['p', 'q', 'r'],
      [
        ['p', 'q'],
        ['q', 'r'],
        ['r', 'q'],
      ],
    );
    expect(() => computePriorityWeights(tasks)).toThrow(/cycle among tasks q, r/);
  });

  // How long these take is a figure of `npm run bench` (the weights scenario), not a test threshold.
  test('10,000-task fan-out/fan-in: start or end weighs all, each middle task two', () => {
    const middle = Array.from({ length: 9998 }, (_, i) => `m${i}`);
    const edgeList: Array<[string, string]> = middle.flatMap(
      (m) =>
        [
          ['start', m],
          [m, 'end'],
        ] as Array<[string, string]>,
    );
    const tasks = makeDag(['start', ...middle, 'end'], edgeList);
    for (const rule of ['downstream', 'upstream'] as const) {
      for (const task of tasks) task.weightRule = rule;
      const weights = computePriorityWeights(tasks);
      if (rule === 'downstream') {
        expect(weights.get('start')).toBe(10_000);
        expect(weights.get('m17')).toBe(2);
        expect(weights.get('end')).toBe(1);
      } else {
        expect(weights.get('start')).toBe(1);
        expect(weights.get('m17')).toBe(2);
        expect(weights.get('end')).toBe(10_000);
      }
    }
  });

  test('10,000-task chain: each task weighs itself plus everything after it', () => {
    const chainIds = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
    const tasks = makeDag(
      chainIds,
      chainIds.slice(1).map((id, i) => [chainIds[i], id] as [string, string]),
    );
    const weights = computePriorityWeights(tasks);
    expect(weights.get('t0')).toBe(10_000);
    expect(weights.get('t9999')).toBe(1);
    expect(weights.get('t4000')).toBe(6000);
  });

  test('agrees with a brute-force walk on a random DAG', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const n = 200;
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const randomEdges: Array<[string, string]> = [];
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) if (random() < 0.03) randomEdges.push([names[i], names[j]]);
    const tasks = makeDag(names, randomEdges, () => ({ priorityWeight: Math.floor(random() * 10) }));
    const weights = computePriorityWeights(tasks);
    const byId = new Map(tasks.map((t) => [t.taskId, t]));
    for (const task of tasks) {
      const seen = new Set<string>();
      const stack = [...task.downstream];
      while (stack.length) {
        const id = stack.pop()!;
        if (!seen.has(id)) {
          seen.add(id);
          stack.push(...byId.get(id)!.downstream);
        }
      }
      const expected = task.priorityWeight + [...seen].reduce((sum, id) => sum + byId.get(id)!.priorityWeight, 0);
      expect(weights.get(task.taskId)).toBe(expected);
    }
  });
});
