import type { DataSource } from 'typeorm';
import { DagRunEntity, TaskInstanceEntity } from '../../../db/entities';

/** The state of one run and its task instances: what the graph view polls to recolour nodes. */
export interface RunStates {
  runId: string;
  state: string;
  tasks: Record<string, string | null>;
}

export async function loadRunStates(dataSource: DataSource, dagId: string, runId: string): Promise<RunStates | null> {
  const run = await dataSource.getRepository(DagRunEntity).findOneBy({ dagId, runId });
  if (!run) return null;
  const tis = await dataSource.getRepository(TaskInstanceEntity).find({ where: { dagId, runId } });
  const tasks: Record<string, string | null> = {};
  for (const ti of tis) tasks[ti.taskId] = ti.state;
  return { runId, state: run.state, tasks };
}

/** The run a DAG page shows by default: the requested one, else the latest. */
export async function pickRun(
  dataSource: DataSource,
  dagId: string,
  runId: string | undefined,
): Promise<DagRunEntity | null> {
  const runs = dataSource.getRepository(DagRunEntity);
  if (runId) return runs.findOneBy({ dagId, runId });
  return runs.findOne({ where: { dagId }, order: { logicalDate: 'DESC' } });
}
