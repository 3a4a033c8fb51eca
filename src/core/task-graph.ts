import type { SerializedDag } from './serialized-dag';

/** Every task reachable from `start` along downstream (or upstream) edges, excluding `start`. */
export function relatedTaskIds(
  dag: SerializedDag,
  start: Iterable<string>,
  direction: 'downstream' | 'upstream',
): Set<string> {
  const byId = new Map(dag.tasks.map((task) => [task.taskId, task]));
  const found = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const task = byId.get(stack.pop() as string);
    for (const next of task ? task[direction] : []) {
      if (!found.has(next)) {
        found.add(next);
        stack.push(next);
      }
    }
  }
  return found;
}
