import { DagDefinitionError } from '../core/errors';
import type { SerializedTask } from '../core/serialized-dag';
import { WeightRule } from '../core/states';

/**
 * Effective priority of every task, by Airflow's weight rules:
 * downstream = own + the own weights of all tasks reachable downstream (each counted once);
 * upstream = own + the own weights of all tasks it depends on, transitively; absolute = own.
 * Reachable sets are bitsets built in topological order, so a 10,000-task fan-out/fan-in costs
 * a few million word operations rather than a walk per task.
 */
export function computePriorityWeights(tasks: SerializedTask[]): Map<string, number> {
  const graph = indexGraph(tasks);
  const own = tasks.map((task) => task.priorityWeight);
  const order = topologicalOrder(graph, tasks);
  const needs = (rule: WeightRule): boolean => tasks.some((task) => task.weightRule === rule);
  const downstreamSums = needs(WeightRule.DOWNSTREAM)
    ? reachableSums([...order].reverse(), graph.children, graph.parents, own)
    : null;
  const upstreamSums = needs(WeightRule.UPSTREAM) ? reachableSums(order, graph.parents, graph.children, own) : null;

  const weights = new Map<string, number>();
  tasks.forEach((task, i) => {
    let weight = own[i];
    if (task.weightRule === WeightRule.DOWNSTREAM) weight += downstreamSums![i];
    else if (task.weightRule === WeightRule.UPSTREAM) weight += upstreamSums![i];
    weights.set(task.taskId, weight);
  });
  return weights;
}

interface IndexedGraph {
  children: number[][];
  parents: number[][];
}

/** Edges from both `downstream` and `upstream` lists (they should agree), deduplicated. */
function indexGraph(tasks: SerializedTask[]): IndexedGraph {
  const index = new Map(tasks.map((task, i) => [task.taskId, i]));
  const children: number[][] = tasks.map(() => []);
  const parents: number[][] = tasks.map(() => []);
  const seen = new Set<number>();
  const link = (from: number | undefined, to: number | undefined): void => {
    if (from === undefined || to === undefined) return;
    const key = from * tasks.length + to;
    if (seen.has(key)) return;
    seen.add(key);
    children[from].push(to);
    parents[to].push(from);
  };
  tasks.forEach((task, i) => {
    for (const id of task.downstream) link(i, index.get(id));
    for (const id of task.upstream) link(index.get(id), i);
  });
  return { children, parents };
}

function topologicalOrder({ children, parents }: IndexedGraph, tasks: SerializedTask[]): number[] {
  const waitingOn = parents.map((list) => list.length);
  const order: number[] = [];
  waitingOn.forEach((count, i) => {
    if (count === 0) order.push(i);
  });
  for (let head = 0; head < order.length; head++) {
    for (const child of children[order[head]]) {
      if (--waitingOn[child] === 0) order.push(child);
    }
  }
  if (order.length < tasks.length) {
    const stuck = tasks.filter((_, i) => waitingOn[i] > 0).map((task) => task.taskId);
    throw new DagDefinitionError(`cycle among tasks ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', …' : ''}`);
  }
  return order;
}

/**
 * For each node, the sum of `own` over every node reachable through `next`. `order` lists a
 * node only after all its `next` nodes; `consumers[c]` are the nodes whose `next` includes c,
 * so c's bitset can be handed over to its last consumer instead of copied.
 */
function reachableSums(order: number[], next: number[][], consumers: number[][], own: number[]): Float64Array {
  const words = (own.length + 31) >>> 5;
  const sets = new Array<Uint32Array | null>(own.length).fill(null);
  const pendingConsumers = consumers.map((list) => list.length);
  const sums = new Float64Array(own.length);

  /** c's set for consumer use: taken over when this is its last consumer, else copied. */
  const take = (c: number): Uint32Array => {
    const set = sets[c];
    if (--pendingConsumers[c] === 0) {
      sets[c] = null;
      if (set) return set;
    }
    return set ? set.slice() : new Uint32Array(words);
  };

  for (const v of order) {
    const targets = next[v];
    if (targets.length === 0) continue;
    if (targets.length === 1) {
      // reach(v) = reach(c) ∪ {c} with c ∉ reach(c): the sum extends without scanning bits.
      const c = targets[0];
      sums[v] = sums[c] + own[c];
      const set = take(c);
      set[c >>> 5] |= 1 << (c & 31);
      sets[v] = set;
    } else {
      const set = take(targets[0]);
      set[targets[0] >>> 5] |= 1 << (targets[0] & 31);
      for (let k = 1; k < targets.length; k++) {
        const c = targets[k];
        const other = sets[c];
        if (other) for (let w = 0; w < words; w++) set[w] |= other[w];
        set[c >>> 5] |= 1 << (c & 31);
        if (--pendingConsumers[c] === 0) sets[c] = null;
      }
      sums[v] = sumOfMembers(set, own);
      sets[v] = set;
    }
    if (pendingConsumers[v] === 0) sets[v] = null;
  }
  return sums;
}

function sumOfMembers(set: Uint32Array, own: number[]): number {
  let sum = 0;
  for (let w = 0; w < set.length; w++) {
    let bits = set[w];
    while (bits !== 0) {
      const low = bits & -bits;
      sum += own[(w << 5) + 31 - Math.clz32(low)];
      bits ^= low;
    }
  }
  return sum;
}
