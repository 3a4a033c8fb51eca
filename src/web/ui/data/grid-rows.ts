import type { SerializedTask } from '../../../core/serialized-dag';

/**
 * The rows of the grid, top to bottom: a row per task group (its path, 'outer.inner') followed by
 * its tasks and nested groups, each at its first task's place in topological order.
 */
export interface GridRow {
  kind: 'group' | 'task';
  /** Task id, or group path. */
  id: string;
  /** What the row shows: the task id without its group prefix, or the group's own name. */
  label: string;
  depth: number;
  /** Path of the enclosing group; null at top level. Collapsing a group hides rows under it. */
  parent: string | null;
  mapped: boolean;
  setup: boolean;
  teardown: boolean;
}

interface Node {
  path: string;
  children: Array<{ group: Node } | { task: SerializedTask }>;
}

export function buildGridRows(tasks: SerializedTask[]): GridRow[] {
  const root: Node = { path: '', children: [] };
  const groups = new Map<string, Node>([['', root]]);
  const groupNode = (path: string): Node => {
    const known = groups.get(path);
    if (known) return known;
    const cut = path.lastIndexOf('.');
    const parent = groupNode(cut < 0 ? '' : path.slice(0, cut));
    const node: Node = { path, children: [] };
    parent.children.push({ group: node });
    groups.set(path, node);
    return node;
  };
  for (const task of tasks) groupNode(task.taskGroup ?? '').children.push({ task });

  const rows: GridRow[] = [];
  const walk = (node: Node, depth: number): void => {
    for (const child of node.children) {
      const parent = node.path || null;
      if ('group' in child) {
        const path = child.group.path;
        const label = path.slice(path.lastIndexOf('.') + 1);
        rows.push({ kind: 'group', id: path, label, depth, parent, mapped: false, setup: false, teardown: false });
        walk(child.group, depth + 1);
      } else {
        const { task } = child;
        // group members are '<group>.<name>' unless the group does not prefix: show the name
        const label = task.taskGroup ? task.taskId.slice(task.taskId.lastIndexOf('.') + 1) : task.taskId;
        rows.push({
          kind: 'task',
          id: task.taskId,
          label,
          depth,
          parent,
          mapped: Boolean(task.mapped),
          setup: Boolean(task.isSetup),
          teardown: Boolean(task.isTeardown),
        });
      }
    }
  };
  walk(root, 0);
  return rows;
}

/** Every group path a row sits in, innermost last ('a.b' → ['a', 'a.b']). */
export function groupChain(path: string | null): string[] {
  if (!path) return [];
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}
