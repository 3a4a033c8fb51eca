import type { DataSource } from 'typeorm';
import { DagRunEntity, TaskInstanceEntity } from '../../../db/entities';
import { findDagRun, latestDagRuns } from '../../../db/reads/dag-run-reads';

/** The state of one run and its task instances: what the graph view polls to recolour nodes. */
export interface RunStates {
  runId: string;
  state: string;
  tasks: Record<string, string | null>;
}

export async function loadRunStates(dataSource: DataSource, dagId: string, runId: string): Promise<RunStates | null> {
  const run = await findDagRun(dataSource, dagId, runId);
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
  if (runId) return findDagRun(dataSource, dagId, runId);
  return (await latestDagRuns(dataSource, dagId, 1))[0] ?? null;
}
