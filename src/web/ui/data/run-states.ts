import type { DataSource } from 'typeorm';
import { DagRunEntity, TaskInstanceEntity } from '../../../db/entities';
import { findDagRun, latestDagRuns } from '../../../db/reads/dag-run-reads';
import { aggregateState } from './aggregate-state';

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
  // A mapped task has one instance per map index: its node shows the most urgent of them.
  const byTask = new Map<string, Array<string | null>>();
  for (const ti of tis) byTask.set(ti.taskId, [...(byTask.get(ti.taskId) ?? []), ti.state]);
  const tasks: Record<string, string | null> = {};
  for (const [taskId, states] of byTask) tasks[taskId] = aggregateState(states);
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
