import type { SerializedDag } from '../core/serialized-dag';

/**
 * The DAG as an indented tree from its root tasks, e.g.
 *   extract [BashOperator]
 *   └── transform [FunctionOperator]
 *       ├── load [BashOperator]
 *       └── report [BashOperator]
 * A task with several upstream tasks is drawn in full once; later mentions say "(see above)".
 */
export function renderDagTree(dag: SerializedDag): string[] {
  const byId = new Map(dag.tasks.map((task) => [task.taskId, task]));
  const drawn = new Set<string>();
  const lines: string[] = [];
  const draw = (taskId: string, prefix: string, connector: string, childPrefix: string): void => {
    const task = byId.get(taskId);
    const label = `${taskId} [${task?.operator ?? '?'}]`;
    if (drawn.has(taskId)) {
      lines.push(`${prefix}${connector}${label} (see above)`);
      return;
    }
    drawn.add(taskId);
    lines.push(`${prefix}${connector}${label}`);
    const children = task?.downstream ?? [];
    children.forEach((child, index) => {
      const last = index === children.length - 1;
      draw(child, prefix + childPrefix, last ? '└── ' : '├── ', last ? '    ' : '│   ');
    });
  };
  for (const task of dag.tasks.filter((t) => t.upstream.length === 0)) draw(task.taskId, '', '', '');
  return lines;
}

/** Every edge as `upstream -> downstream`, then tasks without edges on their own line. */
export function renderDagEdges(dag: SerializedDag): string[] {
  const lines = dag.tasks.flatMap((task) => task.downstream.map((child) => `${task.taskId} -> ${child}`));
  const alone = dag.tasks
    .filter((task) => task.upstream.length === 0 && task.downstream.length === 0)
    .map((task) => task.taskId);
  return [...lines, ...alone];
}
