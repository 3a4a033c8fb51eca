import type { DataSource, EntityManager } from 'typeorm';
import { DagRunState, TaskState } from '../core/states';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { execSql } from '../db/sql';
import { markQueued, QueuedTaskInstance } from '../db/transitions/task-instance-transitions';
import type { TaskWorkload } from '../core/executor';
import type { DagView, DagViewCache } from './dag-view-cache';
import type { QueueDepContext } from './deps/dep-context';
import { QUEUE_DEPS } from './deps/dep-sets';
import { ExecutorSlotsDep } from './deps/executor-slots-dep';
import { ParallelismDep } from './deps/parallelism-dep';
import { poolsWithOpenSlots } from './deps/pool-slots-available-dep';
import { firstFailing } from './deps/ti-dep';
import type { MissingPoolWarner } from './missing-pool-warner';
import { buildQueuedWorkloads } from './build-queued-workloads';
import { type CandidateRow, queueCandidateReads, type RunFacts } from './queue-candidate-reads';
import { type OnlyRun, queueRunScope } from './queue-run-scope';
import {
  ActiveCounts,
  activeCountsOf,
  knowTaskActive,
  PoolSlots,
  readTaskActive,
  slotUsage,
  takeSlots,
} from './slot-usage';

interface Candidate extends TaskInstanceKey {
  pool: string;
  poolSlots: number;
  priority: number;
}

interface QueueingState {
  inUse: ActiveCounts;
  /** DAGs with a running run in the queuer's scope: only their task instances can be queued. */
  dagsWithRunningRuns: string[];
}

/**
 * Queued and running tries (in all, pool slots used per pool, tries per DAG and per task) and the
 * DAGs with running runs, or null when no task instance is scheduled: one round trip for all three
 * questions (the row with a null pool and DAG says that some task waits; without it nothing else is
 * read; rows with a null pool and a DAG name the DAGs with running runs, a short read of dag_run).
 * Grouping the active tries by task costs no more than a row per task that has one, and gives
 * max_active_tis_per_dag its counts before the candidates are read.
 */
async function queueingStateIfScheduled(m: EntityManager, onlyRun: OnlyRun | undefined): Promise<QueueingState | null> {
  // A held task instance (`tasks hold`) waits for nobody's slot: it does not count as waiting.
  const someScheduled = `EXISTS (SELECT 1 FROM task_instance WHERE state = 'scheduled' AND held = ?)`;
  const scope = queueRunScope(onlyRun, 'r');
  const { records } = await execSql<{
    pool: string | null;
    dag_id: string | null;
    task_id: string | null;
    n: number | string;
    slots: number | string;
  }>(
    m,
    `SELECT pool, dag_id, task_id, COUNT(*) AS n, SUM(pool_slots) AS slots FROM task_instance
     WHERE state IN ('queued', 'running') AND ${someScheduled} GROUP BY pool, dag_id, task_id
     UNION ALL SELECT NULL, NULL, NULL, 0, 0 WHERE ${someScheduled}
     UNION ALL SELECT DISTINCT NULL, r.dag_id, NULL, 0, 0 FROM dag_run r JOIN dag d ON d.dag_id = r.dag_id
       WHERE r.state = 'running' AND ${scope.sql} AND ${someScheduled}`,
    [false, false, ...scope.params, false],
  );
  if (!records.some((r) => r.pool === null && r.dag_id === null)) return null;
  return {
    inUse: activeCountsOf(records),
    dagsWithRunningRuns: records.filter((r) => r.pool === null && r.dag_id !== null).map((r) => r.dag_id!),
  };
}

/** Whether any task instance waits to be queued (a cheap look before opening a transaction). */
export async function anyScheduled(db: DataSource | EntityManager): Promise<boolean> {
  const { records } = await execSql(
    db,
    `SELECT 1 AS x FROM task_instance ti JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
     WHERE ti.state = 'scheduled' AND ti.held = ? AND r.run_type <> 'test' LIMIT 1`,
    [false],
  );
  return records.length > 0;
}

/**
 * Choose scheduled task instances for the executor, highest priority first (equal priorities in
 * the order their task instances were created, which walks an index instead of sorting), each
 * through the queueing rules (QUEUE_DEPS: executor slots, core.parallelism, pool slots, the
 * DAG's max_active_tasks…) with the slots taken so far, and mark them queued — in the caller's
 * transaction, which holds the pools (readPools). The guarded scheduled → queued UPDATE means no
 * try is ever sent twice. Returns the workloads to hand to the executor once the transaction
 * committed.
 */
export async function queueReadyTasks(
  m: EntityManager,
  views: DagViewCache,
  executorSlots: number,
  poolSlots: PoolSlots,
  options: QueueOptions,
  now: Date,
): Promise<TaskWorkload[]> {
  if (executorSlots <= 0) return [];
  const state = await queueingStateIfScheduled(m, options.onlyRun);
  if (!state) return [];
  const runs = new Map<string, RunFacts>();
  const queued = await chooseAndMarkQueued(m, views, state, executorSlots, poolSlots, options, now, runs);
  if (!queued.length) return [];
  return buildQueuedWorkloads(m, views, queued, runs);
}

export interface QueueOptions {
  parallelism: number;
  maxTisPerQuery: number;
  jobId: number | null;
  onlyRun?: OnlyRun;
  /** Kept by the caller from pass to pass: it names tasks waiting for a missing pool, once a minute. */
  missingPools: MissingPoolWarner;
}

/**
 * The queueing pass proper: the candidates read (queueCandidateReads) go through QUEUE_DEPS one by
 * one, each seeing the slots the ones before it took, and those chosen are marked queued.
 */
async function chooseAndMarkQueued(
  m: EntityManager,
  views: DagViewCache,
  { inUse, dagsWithRunningRuns }: QueueingState,
  executorSlots: number,
  poolSlots: PoolSlots,
  options: QueueOptions,
  now: Date,
  /** Filled with the facts of the chosen tasks' runs (read with the candidates). */
  runs: Map<string, RunFacts>,
): Promise<QueuedTaskInstance[]> {
  const slots = slotUsage(poolSlots, inUse, { parallelism: options.parallelism, executorSlotsFree: executorSlots });
  // Rules that hold every candidate alike: nothing to ask for while they fail.
  if (!ParallelismDep.evaluate({ slots }).passed || !ExecutorSlotsDep.evaluate({ slots }).passed) return [];
  const openPools = poolsWithOpenSlots(slots);
  if (!openPools.length) return [];
  const dagViews = new Map<string, DagView | null>();
  const viewOf = async (dagId: string): Promise<DagView | null> => {
    if (!dagViews.has(dagId)) dagViews.set(dagId, views.peek(dagId) ?? (await views.get(dagId)));
    return dagViews.get(dagId) ?? null;
  };
  for (const dagId of new Set([...slots.dagActive.keys(), ...dagsWithRunningRuns])) await viewOf(dagId);
  // Only task instances of DAGs with a running run are candidates: their limited tasks' counts.
  const tasksWithMaxActiveTis = dagsWithRunningRuns.flatMap(
    (dagId) => dagViews.get(dagId)?.tasksWithMaxActiveTis ?? [],
  );
  knowTaskActive(slots, inUse, tasksWithMaxActiveTis);
  const reads = queueCandidateReads(
    m,
    slots,
    {
      onlyRun: options.onlyRun,
      dagsWithRunningRuns,
      tasksWithMaxActiveTis,
      maxActiveTasksOf: (dagId) => dagViews.get(dagId)?.dag.maxActiveTasks ?? null,
    },
    options.maxTisPerQuery,
  );
  const knownPools = [...poolSlots.keys()];
  // Nothing could pass (every DAG at its limit), or every waiting task instance was left out (of a
  // full pool, a DAG or task at its limit, a missing pool): the look for missing pools, which walks
  // every scheduled row, is made once a minute, not once a loop.
  const first = reads ? await reads.readFirst() : [];
  if (!reads || !first.length) {
    await options.missingPools.warn(m, knownPools, { unlessScannedRecently: true });
    return [];
  }

  const chosen: Candidate[] = [];
  const seen = new Set<string>();
  let refused = false;
  /** Whether a rule that holds every later candidate alike failed (or the batch is full): stop. */
  const consider = async (records: CandidateRow[]): Promise<boolean> => {
    for (const r of records) {
      if (chosen.length >= options.maxTisPerQuery) return true; // the rest next loop (queueingCutShort)
      const c: Candidate = {
        dagId: r.dag_id,
        runId: r.run_id,
        taskId: r.task_id,
        mapIndex: Number(r.map_index),
        pool: r.pool,
        poolSlots: Number(r.pool_slots),
        priority: Number(r.priority_weight),
      };
      const key = `${c.dagId}\u0000${c.runId}\u0000${c.taskId}\u0000${c.mapIndex}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const view = await viewOf(c.dagId);
      const maxActiveTisPerDag = view?.tasks.get(c.taskId)?.maxActiveTisPerDag ?? null;
      // Known already (knowTaskActive) for the tasks of every DAG in scope; read only if one was not.
      if (maxActiveTisPerDag !== null) await readTaskActive(m, slots, c.dagId, c.taskId);
      const ctx: QueueDepContext = {
        state: TaskState.SCHEDULED,
        dagId: c.dagId,
        taskId: c.taskId,
        maxActiveTisPerDag,
        pool: c.pool,
        poolSlots: c.poolSlots,
        // The query took only running runs of task instances not held, and unpaused (or draining)
        // DAGs unless `dags test` ignores the flag.
        runState: DagRunState.RUNNING,
        dagPaused: false,
        dagDraining: false,
        held: null,
        maxActiveTasks: view?.dag.maxActiveTasks ?? null,
        slots,
      };
      const failed = firstFailing(QUEUE_DEPS, ctx);
      if (failed) {
        if (failed.dep.sharedByAll) return true;
        // A pool, DAG or task limit reached by those chosen in this pass: the next read leaves it out.
        refused = true;
        continue;
      }
      takeSlots(slots, c);
      chosen.push(c);
      runs.set(`${c.dagId}\u0000${c.runId}`, r);
    }
    return false;
  };
  let stopped = await consider(first);
  // Each read after refusals leaves out the limits reached so far, so it chooses at least one new
  // candidate or is the last (see readMoreAfterRefusals for the bound).
  while (!stopped && refused) {
    refused = false;
    const more = await reads.readMoreAfterRefusals();
    if (!more.length) break;
    stopped = await consider(more);
  }
  if (!chosen.length) return [];
  return markQueued(m, chosen, options.jobId, now);
}
