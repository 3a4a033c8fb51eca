import dagre from '@dagrejs/dagre';
import type { SerializedDag } from '../../../core/serialized-dag';

export interface GraphNodeBox {
  /** 'task' boxes link to the task instance; 'group' boxes are collapsed task groups. */
  kind: 'task' | 'group';
  /** Task id, or the group path for a collapsed group. */
  id: string;
  label: string;
  sublabel: string;
  /** Task ids this box stands for (one for a task, all members for a collapsed group). */
  taskIds: string[];
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphCluster {
  groupId: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNodeBox[];
  clusters: GraphCluster[];
  edges: Array<{ d: string }>;
  groups: string[];
}

const NODE_HEIGHT = 44;
const CHAR_WIDTH = 7.4;
const MAX_LABEL = 34;

function shorten(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

/** Every group path and its ancestors: 'a.b' → ['a', 'a.b']. */
function groupChain(path: string | undefined): string[] {
  if (!path) return [];
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/**
 * Lay the DAG out left to right with dagre. Task groups become clusters; a collapsed group is one
 * box standing for all its tasks, and edges into or out of it are merged.
 */
export function layoutDagGraph(dag: SerializedDag, collapsed: ReadonlySet<string> = new Set()): GraphLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 56, marginx: 16, marginy: 28 });
  g.setDefaultEdgeLabel(() => ({}));

  const allGroups = new Set<string>();
  for (const task of dag.tasks) for (const group of groupChain(task.taskGroup)) allGroups.add(group);
  const outermostCollapsed = (path: string | undefined): string | null =>
    groupChain(path).find((group) => collapsed.has(group)) ?? null;

  const boxes = new Map<string, GraphNodeBox>();
  const nodeOfTask = new Map<string, string>();
  for (const task of dag.tasks) {
    const group = outermostCollapsed(task.taskGroup);
    const key = group ? `group:${group}` : `task:${task.taskId}`;
    nodeOfTask.set(task.taskId, key);
    const existing = boxes.get(key);
    if (existing) {
      existing.taskIds.push(task.taskId);
      existing.sublabel = `${existing.taskIds.length} tasks`;
      continue;
    }
    const label = shorten(group ? (group.split('.').pop() ?? group) : task.taskId);
    const sublabel = group ? '1 task' : task.operator;
    boxes.set(key, {
      kind: group ? 'group' : 'task',
      id: group ?? task.taskId,
      label,
      sublabel,
      taskIds: [task.taskId],
      x: 0,
      y: 0,
      width: 0,
      height: NODE_HEIGHT,
    });
  }
  for (const [key, box] of boxes) {
    box.width = Math.max(110, Math.ceil(Math.max(box.label.length, box.sublabel.length) * CHAR_WIDTH) + 28);
    g.setNode(key, { width: box.width, height: box.height });
  }

  // Expanded groups that still hold something visible become clusters.
  const clusterKeys = new Set<string>();
  for (const group of allGroups) {
    if (outermostCollapsed(group) === null) clusterKeys.add(group);
  }
  for (const group of clusterKeys) g.setNode(`cluster:${group}`, { label: group });
  for (const group of clusterKeys) {
    const parent = group.includes('.') ? group.slice(0, group.lastIndexOf('.')) : null;
    if (parent && clusterKeys.has(parent)) g.setParent(`cluster:${group}`, `cluster:${parent}`);
  }
  for (const [key, box] of boxes) {
    const task = dag.tasks.find((t) => t.taskId === box.taskIds[0]);
    const chain = groupChain(task?.taskGroup).filter((group) => clusterKeys.has(group));
    const owner =
      box.kind === 'group'
        ? chain.filter((group) => group !== box.id && box.id.startsWith(`${group}.`)).pop()
        : chain.pop();
    if (owner) g.setParent(key, `cluster:${owner}`);
  }

  const seen = new Set<string>();
  for (const task of dag.tasks) {
    for (const downstream of task.downstream) {
      const from = nodeOfTask.get(task.taskId);
      const to = nodeOfTask.get(downstream);
      if (!from || !to || from === to || seen.has(`${from}\n${to}`)) continue;
      seen.add(`${from}\n${to}`);
      g.setEdge(from, to);
    }
  }

  dagre.layout(g);

  const nodes = [...boxes.entries()].map(([key, box]) => {
    const laid = g.node(key);
    return { ...box, x: laid.x - laid.width / 2, y: laid.y - laid.height / 2 };
  });
  const clusters: GraphCluster[] = [...clusterKeys].map((group) => {
    const laid = g.node(`cluster:${group}`);
    return {
      groupId: group,
      label: group,
      x: laid.x - laid.width / 2,
      y: laid.y - laid.height / 2 - 14,
      width: laid.width,
      height: laid.height + 14,
    };
  });
  const edges = g.edges().map((edge) => {
    const points = g.edge(edge).points;
    return { d: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ') };
  });
  const label = g.graph();
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes,
    clusters,
    edges,
    groups: [...allGroups].sort(),
  };
}
