import type { DataSource, EntityManager } from 'typeorm';
import type { TaskInstanceKey } from '../core/task-instance-key';
import { execSql, isPostgres } from '../db/sql';
import { runInTransaction } from '../db/transaction';
import { markQueued, QueuedTaskInstance } from '../db/transitions/task-instance-transitions';
import type { Executor, TaskWorkload } from '../executors/executor';
import { getLogger } from '../logging/logger';
import type { DagView, DagViewCache } from './dag-view-cache';

const log = getLogger('scheduler');

interface Candidate extends TaskInstanceKey {
  pool: string;
  poolSlots: number;
  priority: number;
}

interface ActiveCounts {
  total: number;
  slotsByPool: Map<string, number>;
  tasksByDag: Map<string, number>;
}

/** Queued and running tries: in all, pool slots used per pool, tries per DAG — one query. */
async function activeCounts(m: EntityManager): Promise<ActiveCounts> {
  const { records } = await execSql<{ pool: string; dag_id: string; n: number | string; slots: number | string }>(
    m,
    `SELECT pool, dag_id, COUNT(*) AS n, SUM(pool_slots) AS slots FROM task_instance WHERE state IN ('queued', 'running') GROUP BY pool, dag_id`,
  );
  const counts: ActiveCounts = { total: 0, slotsByPool: new Map(), tasksByDag: new Map() };
  for (const r of records) {
    counts.total += Number(r.n);
    counts.slotsByPool.set(r.pool, (counts.slotsByPool.get(r.pool) ?? 0) + Number(r.slots));
    counts.tasksByDag.set(r.dag_id, (counts.tasksByDag.get(r.dag_id) ?? 0) + Number(r.n));
  }
  return counts;
}

/** All XComs of the run pushed by the task's ancestors: taskId → key → value. */
async function ancestorXComs(ds: DataSource, view: DagView, key: TaskInstanceKey, cache: Map<string, Array<{ task_id: string; key: string; value: string | null }>>): Promise<Record<string, Record<string, unknown>>> {
  // A task without upstream tasks has no XComs to pull: no query.
  if (!view.tasks.get(key.taskId)?.upstream.length) return {};
  const runKey = `${key.dagId}\u0000${key.runId}`;
  let rows = cache.get(runKey);
  if (!rows) {
    rows = (await execSql<{ task_id: string; key: string; value: string | null }>(ds, `SELECT task_id, key, value FROM xcom WHERE dag_id = ? AND run_id = ?`, [key.dagId, key.runId])).records;
    cache.set(runKey, rows);
  }
  if (!rows.length) return {};
  const ancestors = new Set<string>();
  const stack = [...(view.tasks.get(key.taskId)?.upstream ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (ancestors.has(id)) continue;
    ancestors.add(id);
    stack.push(...(view.tasks.get(id)?.upstream ?? []));
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const row of rows) {
    if (!ancestors.has(row.task_id)) continue;
    (out[row.task_id] ??= {})[row.key] = row.value === null ? null : JSON.parse(row.value);
  }
  return out;
}

type RunFacts = { logical_date: string; data_interval_start: string | null; data_interval_end: string | null; run_type: string; conf: string | null };

/** Everything a runner needs for each queued try, read with one query per run. */
async function buildWorkloads(ds: DataSource, views: DagViewCache, queued: QueuedTaskInstance[]): Promise<TaskWorkload[]> {
  const runs = new Map<string, RunFacts | undefined>();
  const xcomCache = new Map<string, Array<{ task_id: string; key: string; value: string | null }>>();
  const workloads: TaskWorkload[] = [];
  for (const ti of queued) {
    const runKey = `${ti.dagId}\u0000${ti.runId}`;
    if (!runs.has(runKey)) {
      const { records } = await execSql<RunFacts>(
        ds, `SELECT logical_date, data_interval_start, data_interval_end, run_type, conf FROM dag_run WHERE dag_id = ? AND run_id = ?`, [ti.dagId, ti.runId]);
      runs.set(runKey, records[0]);
    }
    const run = runs.get(runKey);
    const view = views.peek(ti.dagId) ?? (await views.get(ti.dagId));
    if (!view || !run) continue;
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
      conf: run.conf ? JSON.parse(run.conf) : {},
      maxTries: ti.maxTries,
      xcoms: await ancestorXComs(ds, view, ti, xcomCache),
      firstRescheduleDate: ti.firstRescheduleDate,
    });
  }
  return workloads;
}

/**
 * Send scheduled task instances to the executor, highest priority first (equal priorities in the
 * order their task instances were created, which walks an index instead of sorting), within the executor's
 * free slots, core.parallelism, pool slots and each DAG's max_active_tasks. Choosing and marking
 * happen in one transaction that, on PostgreSQL, first locks the pool rows: several schedulers
 * then queue one after another and never exceed a limit together, and the guarded
 * scheduled → queued UPDATE means no try is ever sent twice. Returns how many were sent.
 */
export async function queueReadyTasks(
  ds: DataSource,
  views: DagViewCache,
  executor: Executor,
  options: { parallelism: number; maxTisPerQuery: number; jobId: number | null; onlyRun?: { dagId: string; runId: string } },
  now: Date,
): Promise<number> {
  const slots = executor.slotsAvailable();
  if (slots <= 0) return 0;
  const { records: any } = await execSql(ds, `SELECT 1 AS x FROM task_instance WHERE state = 'scheduled' LIMIT 1`);
  if (!any.length) return 0;
  const queued = await runInTransaction(ds, (m) => chooseAndMarkQueued(m, views, slots, options, now));
  if (!queued.length) return 0;
  const workloads = await buildWorkloads(ds, views, queued);
  for (const workload of workloads) executor.queueWorkload(workload);
  return workloads.length;
}

async function chooseAndMarkQueued(
  m: EntityManager,
  views: DagViewCache,
  executorSlots: number,
  options: { parallelism: number; maxTisPerQuery: number; jobId: number | null; onlyRun?: { dagId: string; runId: string } },
  now: Date,
): Promise<QueuedTaskInstance[]> {
  // On PostgreSQL, reading the pools locks them (see above).
  const { records: pools } = await execSql<{ pool: string; slots: number }>(m, `SELECT pool, slots FROM slot_pool ORDER BY id${isPostgres(m) ? ' FOR UPDATE' : ''}`);
  const inUse = await activeCounts(m);
  const budget = Math.min(executorSlots, options.parallelism - inUse.total, options.maxTisPerQuery);
  if (budget <= 0) return [];

  const poolSlots = new Map(pools.map((p) => [p.pool, Number(p.slots)]));
  const poolUsed = inUse.slotsByPool;
  const dagActive = inUse.tasksByDag;
  // Like Airflow's starved pools/DAGs: leave out, in SQL, what cannot be queued now, so the
  // query returns only rows that can be used (a 10,000-task run must not be read per loop).
  const openPools = [...poolSlots].filter(([pool, slots]) => (poolUsed.get(pool) ?? 0) < slots).map(([pool]) => pool);
  if (!openPools.length) return [];
  const starvedDags: string[] = [];
  for (const [dagId, active] of dagActive) {
    const view = views.peek(dagId) ?? (await views.get(dagId));
    if (active >= (view?.dag.maxActiveTasks ?? 16)) starvedDags.push(dagId);
  }
  const scope = options.onlyRun ? 'ti.dag_id = ? AND ti.run_id = ?' : 'd.is_paused = ?';
  const { records } = await execSql<{ dag_id: string; run_id: string; task_id: string; map_index: number; pool: string; pool_slots: number; priority_weight: number }>(
    m,
    `SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.pool, ti.pool_slots, ti.priority_weight
     FROM task_instance ti
       JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
       JOIN dag d ON d.dag_id = ti.dag_id
     WHERE ti.state = 'scheduled' AND r.state = 'running' AND ${scope}
       AND ti.pool IN (${openPools.map(() => '?').join(', ')})
       ${starvedDags.length ? `AND ti.dag_id NOT IN (${starvedDags.map(() => '?').join(', ')})` : ''}
     ORDER BY ti.priority_weight DESC
     LIMIT ?`,
    [...(options.onlyRun ? [options.onlyRun.dagId, options.onlyRun.runId] : [false]), ...openPools, ...starvedDags, Math.min(options.maxTisPerQuery, budget * 4)],
  );
  if (!records.length) {
    await warnAboutMissingPools(m, [...poolSlots.keys()]);
    return [];
  }

  const chosen: Candidate[] = [];
  for (const r of records) {
    if (chosen.length >= budget) break;
    const c: Candidate = { dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: Number(r.map_index), pool: r.pool, poolSlots: Number(r.pool_slots), priority: Number(r.priority_weight) };
    const capacity = poolSlots.get(c.pool);
    if (capacity === undefined) continue; // unknown pool: the task waits until the pool exists (logged below)
    const used = poolUsed.get(c.pool) ?? 0;
    if (used + c.poolSlots > capacity) continue;
    const view = views.peek(c.dagId) ?? (await views.get(c.dagId));
    const maxActive = view?.dag.maxActiveTasks ?? 16;
    const active = dagActive.get(c.dagId) ?? 0;
    if (active >= maxActive) continue;
    poolUsed.set(c.pool, used + c.poolSlots);
    dagActive.set(c.dagId, active + 1);
    chosen.push(c);
  }
  if (!chosen.length) return [];
  return markQueued(m, chosen, options.jobId, now);
}

/** Tasks of a pool that does not exist wait for it; say so, since nothing else will. */
async function warnAboutMissingPools(m: EntityManager, known: string[]): Promise<void> {
  const { records } = await execSql<{ pool: string }>(
    m,
    `SELECT DISTINCT pool FROM task_instance WHERE state = 'scheduled' ${known.length ? `AND pool NOT IN (${known.map(() => '?').join(', ')})` : ''}`,
    known,
  );
  const now = Date.now();
  for (const { pool } of records) {
    if (now - (warnedPools.get(pool) ?? 0) < 60_000) continue; // once a minute is enough
    warnedPools.set(pool, now);
    log.warn(`tasks wait for pool '${pool}', which does not exist (dagctl pools set ${pool} N)`);
  }
}

const warnedPools = new Map<string, number>();
