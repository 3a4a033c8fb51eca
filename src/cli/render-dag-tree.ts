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
    const label = `${taskId} [${task?.operator ?? '?'}]${task ? roleMark(task) : ''}`;
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

/**
 * The tasks grouped by task group, nested groups indented, e.g.
 *   [extract]
 *   ├── extract.a [BashOperator]
 *   └── [extract.inner]
 *       └── extract.inner.b [BashOperator]
 * Tasks outside any group are left out; empty when the DAG has no groups.
 */
export function renderTaskGroups(dag: SerializedDag): string[] {
  interface Node {
    path: string;
    groups: Map<string, Node>;
    tasks: string[];
  }
  const root: Node = { path: '', groups: new Map(), tasks: [] };
  for (const task of dag.tasks) {
    if (!task.taskGroup) continue;
    let node = root;
    for (const name of task.taskGroup.split('.')) {
      const path = node.path ? `${node.path}.${name}` : name;
      let next = node.groups.get(name);
      if (!next) node.groups.set(name, (next = { path, groups: new Map(), tasks: [] }));
      node = next;
    }
    node.tasks.push(`${task.taskId} [${task.operator}]${roleMark(task)}`);
  }
  const lines: string[] = [];
  const draw = (node: Node, prefix: string): void => {
    const items: Array<{ label: string; node?: Node }> = [
      ...node.tasks.map((label) => ({ label })),
      ...[...node.groups.values()].map((child) => ({ label: `[${child.path}]`, node: child })),
    ];
    items.forEach((item, index) => {
      const last = index === items.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${item.label}`);
      if (item.node) draw(item.node, prefix + (last ? '    ' : '│   '));
    });
  };
  for (const group of root.groups.values()) {
    lines.push(`[${group.path}]`);
    draw(group, '');
  }
  return lines;
}

/** ' (setup)' / ' (teardown)' after a task's label. */
export function roleMark(task: { isSetup?: true; isTeardown?: true }): string {
  return task.isSetup ? ' (setup)' : task.isTeardown ? ' (teardown)' : '';
}
