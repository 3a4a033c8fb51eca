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
  for (const task of dag.tasks.values()) pending.set(task.taskId, [...task.upstreamTaskIds].filter((id) => dag.tasks.has(id)).length);
  const ready = [...dag.tasks.values()].filter((t) => pending.get(t.taskId) === 0);
  const order: T[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => position.get(a.taskId)! - position.get(b.taskId)!);
    const task = ready.shift()!;
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
