import type { SerializedTask } from '../core/serialized-dag';
import { TaskState, TaskStateOrNone } from '../core/states';

/**
 * A DAG run's state follows its leaf tasks: failed as soon as any leaf failed or is
 * upstream_failed, success once every leaf succeeded or was skipped (removed leaves count as
 * done), otherwise still running. A run with no tasks has nothing left to do: success.
 */
export function decideDagRunState(leafStates: TaskStateOrNone[]): 'running' | 'success' | 'failed' {
  if (leafStates.some((state) => state === TaskState.FAILED || state === TaskState.UPSTREAM_FAILED)) return 'failed';
  const done = (state: TaskStateOrNone): boolean =>
    state === TaskState.SUCCESS || state === TaskState.SKIPPED || state === TaskState.REMOVED;
  return leafStates.every(done) ? 'success' : 'running';
}

/** Tasks with no downstream task in the DAG, in the given order. */
export function findLeaves(tasks: SerializedTask[]): string[] {
  const ids = new Set(tasks.map((task) => task.taskId));
  const hasDownstream = new Set<string>();
  for (const task of tasks) {
    if (task.downstream.some((id) => ids.has(id))) hasDownstream.add(task.taskId);
    for (const id of task.upstream) if (ids.has(id)) hasDownstream.add(id);
  }
  return tasks.filter((task) => !hasDownstream.has(task.taskId)).map((task) => task.taskId);
}

/**
 * The tasks whose states decide the run's (Airflow 2.7's effective leaves): tasks whose
 * downstream tasks are all teardowns that may fail without failing the run, leaving those
 * teardowns out unless `onFailureFailDagrun`. Without teardowns these are the leaves.
 */
export function runStateTaskIds(
  tasks: ReadonlyArray<Pick<SerializedTask, 'taskId' | 'downstream' | 'isTeardown' | 'onFailureFailDagrun'>>,
): string[] {
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  const ignorable = (task: Pick<SerializedTask, 'isTeardown' | 'onFailureFailDagrun'> | undefined): boolean =>
    task?.isTeardown === true && task.onFailureFailDagrun !== true;
  const leaves = tasks
    .filter((task) => !ignorable(task) && task.downstream.every((id) => ignorable(byId.get(id))))
    .map((task) => task.taskId);
  // A DAG of teardowns only: its plain leaves.
  return leaves.length > 0 ? leaves : tasks.filter((task) => task.downstream.length === 0).map((task) => task.taskId);
}
