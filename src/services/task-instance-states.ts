import { TaskInstanceEntity } from '../db/entities';
import { readSerializedDag } from '../db/reads/read-serialized-dag';
import { requireDagRun } from './require-dag';
import type { ServiceContext } from './service-context';

/**
 * The task instances of one DAG run, in the DAG's task order (topological) when the DAG is
 * known, else by task id. NotFoundError when the DAG or the run does not exist.
 */
export async function taskInstanceStates(
  ctx: ServiceContext,
  dagId: string,
  runId: string,
): Promise<TaskInstanceEntity[]> {
  await requireDagRun(ctx.dataSource, dagId, runId);
  const rows = await ctx.dataSource
    .getRepository(TaskInstanceEntity)
    .find({ where: { dagId, runId }, order: { taskId: 'ASC', mapIndex: 'ASC' } });
  const stored = await readSerializedDag(ctx.dataSource, dagId);
  if (!stored) return rows;
  const position = new Map(stored.dag.tasks.map((task, index) => [task.taskId, index]));
  const rank = (taskId: string): number => position.get(taskId) ?? Number.MAX_SAFE_INTEGER;
  return [...rows].sort(
    (a, b) => rank(a.taskId) - rank(b.taskId) || a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex,
  );
}
