import { triggeringEventsOfRun } from '../db/reads/dataset-reads';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../core/errors';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { TaskInstanceEntity } from '../db/entities';
import { groupRunXComs, readRunXComRows } from '../db/reads/xcom-reads';
import type { TaskWorkload } from '../core/executor';
import { requireSerializedDag } from '../db/reads/read-serialized-dag';
import { findDagRun } from '../db/reads/dag-run-reads';

/**
 * Everything the runner needs for one try of an existing task instance, read from the DB: the
 * run's facts, the task's settings and the XComs of every task of this run.
 */
export async function buildTaskWorkload(
  ds: DataSource,
  key: TaskInstanceKey,
  tryNumber: number,
): Promise<TaskWorkload> {
  const stored = await requireSerializedDag(ds, key.dagId);
  const task = stored.dag.tasks.find((t) => t.taskId === key.taskId);
  if (!task) throw new NotFoundError(`task '${key.taskId}' not found in DAG '${key.dagId}'`);
  const run = await findDagRun(ds, key.dagId, key.runId);
  if (!run) throw new NotFoundError(`DAG run '${key.runId}' of DAG '${key.dagId}' not found`);
  const ti = await ds.getRepository(TaskInstanceEntity).findOneBy({ ...key });
  if (!ti)
    throw new NotFoundError(`task instance '${key.taskId}' of DAG run '${key.runId}' (DAG '${key.dagId}') not found`);

  const xcoms = groupRunXComs(await readRunXComRows(ds, key.dagId, key.runId));
  return {
    key,
    tryNumber,
    fileloc: stored.fileloc,
    dagHash: stored.dagHash,
    queue: ti.queue,
    priority: ti.priorityWeight,
    executionTimeoutMs: task.executionTimeoutMs,
    pool: ti.pool,
    poolSlots: ti.poolSlots,
    logicalDate: run.logicalDate.toISOString(),
    dataIntervalStart: run.dataIntervalStart ? run.dataIntervalStart.toISOString() : null,
    dataIntervalEnd: run.dataIntervalEnd ? run.dataIntervalEnd.toISOString() : null,
    runType: run.runType,
    conf: run.conf ?? {},
    maxTries: ti.maxTries,
    xcoms,
    firstRescheduleDate: ti.firstRescheduleDate ? ti.firstRescheduleDate.toISOString() : null,
    triggeringDatasetEvents: await triggeringEventsOfRun(ds, { ...key, runType: run.runType }),
  };
}
