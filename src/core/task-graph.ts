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

/**
 * What clearing `taskIds` also clears, as Airflow 2.7 does: the setup tasks upstream of them
 * (their resources must exist again before the work re-runs) and the teardowns of every setup
 * cleared (so the resources are cleaned up again afterwards).
 */
export function withSetupsAndTeardowns(dag: SerializedDag, taskIds: Iterable<string>): Set<string> {
  const byId = new Map(dag.tasks.map((task) => [task.taskId, task]));
  const out = new Set(taskIds);
  for (const id of [...out]) {
    for (const up of relatedTaskIds(dag, [id], 'upstream')) if (byId.get(up)?.isSetup) out.add(up);
  }
  for (const id of [...out]) {
    if (!byId.get(id)?.isSetup) continue;
    for (const down of byId.get(id)!.downstream) if (byId.get(down)?.isTeardown) out.add(down);
  }
  return out;
}
