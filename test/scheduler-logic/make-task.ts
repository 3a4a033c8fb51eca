import type { SerializedTask } from '../../src/core/serialized-dag';

/** A SerializedTask with defaults, for graph-shaped tests. */
export function makeTask(taskId: string, overrides: Partial<SerializedTask> = {}): SerializedTask {
  return {
    taskId,
    operator: 'EmptyOperator',
    upstream: [],
    downstream: [],
    triggerRule: 'all_success',
    retries: 0,
    retryDelayMs: 300_000,
    retryExponentialBackoff: false,
    maxRetryDelayMs: null,
    executionTimeoutMs: null,
    pool: 'default_pool',
    poolSlots: 1,
    priorityWeight: 1,
    weightRule: 'downstream',
    queue: 'default',
    dependsOnPast: false,
    templateFields: {},
    ...overrides,
  };
}

/** Tasks wired by `edges` ([upstream, downstream] pairs), with both lists filled and sorted. */
export function makeDag(
  ids: string[],
  edges: Array<[string, string]>,
  overrides: (id: string) => Partial<SerializedTask> = () => ({}),
): SerializedTask[] {
  const tasks = new Map(ids.map((id) => [id, makeTask(id, overrides(id))]));
  for (const [from, to] of edges) {
    tasks.get(from)!.downstream.push(to);
    tasks.get(to)!.upstream.push(from);
  }
  for (const task of tasks.values()) {
    task.upstream.sort();
    task.downstream.sort();
  }
  return [...tasks.values()];
}
