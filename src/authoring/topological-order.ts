import { DagDefinitionError } from '../core/errors';

interface GraphTask {
  readonly taskId: string;
  readonly upstreamTaskIds: ReadonlySet<string>;
  readonly downstreamTaskIds: ReadonlySet<string>;
}
interface Graph<T extends GraphTask> {
  readonly dagId: string;
  readonly tasks: ReadonlyMap<string, T>;
}

/**
 * Kahn's algorithm; ties keep creation order so the result is deterministic.
 * On a cycle, throws "DAG 'x': cycle a → b → a" naming one cycle path.
 */
export function topologicalOrder<T extends GraphTask>(dag: Graph<T>): T[] {
  const position = new Map([...dag.tasks.keys()].map((id, i) => [id, i]));
  const pending = new Map<string, number>();
  for (const task of dag.tasks.values())
    pending.set(task.taskId, [...task.upstreamTaskIds].filter((id) => dag.tasks.has(id)).length);
  // A min-heap on creation position: O(n log n) even when 10,000 tasks are ready at once.
  const ready = new MinHeap<T>((a, b) => position.get(a.taskId)! - position.get(b.taskId)!);
  for (const task of dag.tasks.values()) if (pending.get(task.taskId) === 0) ready.push(task);
  const order: T[] = [];
  while (ready.size > 0) {
    const task = ready.pop()!;
    order.push(task);
    for (const downId of task.downstreamTaskIds) {
      const down = dag.tasks.get(downId);
      if (!down) continue;
      const left = pending.get(downId)! - 1;
      pending.set(downId, left);
      if (left === 0) ready.push(down);
    }
  }
  if (order.length < dag.tasks.size) {
    const path = findCycle(dag, new Set(order.map((t) => t.taskId)));
    throw new DagDefinitionError(`DAG '${dag.dagId}': cycle ${path.join(' → ')}`);
  }
  return order;
}

/** A cycle among the tasks not in `done`, as a path that starts and ends with the same id. */
function findCycle<T extends GraphTask>(dag: Graph<T>, done: ReadonlySet<string>): string[] {
  const state = new Map<string, 'visiting' | 'visited'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of dag.tasks.get(id)!.downstreamTaskIds) {
      if (done.has(next) || !dag.tasks.has(next)) continue;
      if (state.get(next) === 'visiting') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'visited');
    return null;
  };
  for (const id of dag.tasks.keys()) {
    if (done.has(id) || state.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return [...dag.tasks.keys()].filter((id) => !done.has(id));
}

/** A binary min-heap. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.compare(items[left], items[smallest]) < 0) smallest = left;
        if (right < items.length && this.compare(items[right], items[smallest]) < 0) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest], items[i]];
        i = smallest;
      }
    }
    return top;
  }
}
