import type { DataSource, EntityManager } from 'typeorm';
import type { TriggeringDatasetEvent } from '../core/dataset';
import type { TaskWorkload } from '../core/executor';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { triggeringEventsOfRun } from '../db/reads/dataset-reads';
import { groupRunXComs, readRunXComRows } from '../db/reads/xcom-reads';
import { sqlBool } from '../db/sql';
import type { QueuedTaskInstance } from '../db/transitions/task-instance-transitions';
import type { DagViewCache } from './dag-view-cache';
import type { RunFacts } from './queue-candidate-reads';

/** The XComs of the task's run, read once per run per batch: `xcomPull` may read any task of the run. */
async function runXComs(
  db: DataSource | EntityManager,
  key: TaskInstanceKey,
  cache: Map<string, Record<string, Record<string, unknown>>>,
): Promise<Record<string, Record<string, unknown>>> {
  const runKey = `${key.dagId}\u0000${key.runId}`;
  let xcoms = cache.get(runKey);
  if (!xcoms) {
    xcoms = groupRunXComs(await readRunXComRows(db, key.dagId, key.runId));
    cache.set(runKey, xcoms);
  }
  return xcoms;
}

/**
 * Everything a runner needs for each try just queued, in one batch (executors/build-task-workload
 * does it for one try, reading it all): the run facts came with the candidates, the DAG from the
 * view cache, and each run's XComs and triggering dataset events are read once. The
 * prev_*_success values are not among them: the few tries whose templates name one ask for them
 * (VariableSource.prevSuccess), so no loop pays a read for them.
 */
export async function buildQueuedWorkloads(
  db: DataSource | EntityManager,
  views: DagViewCache,
  queued: QueuedTaskInstance[],
  runs: Map<string, RunFacts>,
): Promise<TaskWorkload[]> {
  const xcomCache = new Map<string, Record<string, Record<string, unknown>>>();
  const triggeringEvents = new Map<string, TriggeringDatasetEvent[]>();
  const workloads: TaskWorkload[] = [];
  for (const ti of queued) {
    const runKey = `${ti.dagId}\u0000${ti.runId}`;
    const run = runs.get(runKey);
    const view = views.peek(ti.dagId) ?? (await views.get(ti.dagId));
    if (!view || !run) continue;
    let triggeringDatasetEvents = triggeringEvents.get(runKey);
    if (!triggeringDatasetEvents) {
      triggeringDatasetEvents = await triggeringEventsOfRun(db, { ...ti, runType: run.run_type });
      triggeringEvents.set(runKey, triggeringDatasetEvents);
    }
    workloads.push({
      key: { dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex },
      tryNumber: ti.tryNumber,
      fileloc: view.dag.fileloc,
      dagHash: view.hash,
      queue: ti.queue,
      priority: ti.priorityWeight,
      executionTimeoutMs: view.tasks.get(ti.taskId)?.executionTimeoutMs ?? null,
      pool: ti.pool,
      poolSlots: ti.poolSlots,
      logicalDate: run.logical_date,
      dataIntervalStart: run.data_interval_start,
      dataIntervalEnd: run.data_interval_end,
      runType: run.run_type,
      conf: run.conf ? (JSON.parse(run.conf) as Record<string, unknown>) : {},
      maxTries: ti.maxTries,
      xcoms: sqlBool(run.run_has_xcom) ? await runXComs(db, ti, xcomCache) : {},
      firstRescheduleDate: ti.firstRescheduleDate,
      triggeringDatasetEvents,
    });
  }
  return workloads;
}
