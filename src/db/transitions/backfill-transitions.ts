import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, StateConflictError } from '../../core/errors';
import type { SerializedDag } from '../../core/serialized-dag';
import { DagRunType, TaskState } from '../../core/states';
import { execSql, placeholders, sqlBool } from '../sql';
import { runInTransaction } from '../transaction';
import { clearTaskInstanceStates, restartActiveTaskInstances } from './clear-task-instance-states';
import { createDagRun, requeueFinishedDagRuns } from './dag-run-transitions';

/**
 * A backfill's life, each step one guarded statement (Airflow 3's backfill, run by the scheduler):
 * recorded with its plan → the scheduler creates (or clears, or skips) the plan's runs in order while
 * fewer than `max_active_runs` of them are active → completed once every date is handled and none of
 * its runs is active. Pause stops new runs; cancel completes it at once and fails its queued runs.
 */

export interface BackfillInterval {
  logicalDate: Date;
  start: Date;
  end: Date;
}

export interface NewBackfill {
  dagId: string;
  fromDate: Date;
  toDate: Date;
  reverse: boolean;
  maxActiveRuns: number;
  rerunFailedTasks: boolean;
  resetDagruns: boolean;
  dagRunConf: Record<string, unknown> | null;
  /** Every interval in range, oldest first. */
  intervals: BackfillInterval[];
}

const ACTIVE_RUN_STATES = ['queued', 'running'];
const PLAN_CHUNK = 100;

/**
 * Record a backfill and its plan in one transaction. Refused (StateConflictError) for a draining
 * DAG, whose pause promises no new run, and while another backfill of the DAG over overlapping
 * dates is not completed (Airflow 3 refuses any second one), so two backfills never race for a date.
 */
export async function recordBackfill(ds: DataSource, input: NewBackfill, now: Date): Promise<number> {
  return runInTransaction(ds, async (m) => {
    const dag = await execSql<{ is_active: unknown; is_draining: unknown }>(
      m,
      `SELECT is_active, is_draining FROM dag WHERE dag_id = ?`,
      [input.dagId],
    );
    if (!dag.records.length || !sqlBool(dag.records[0].is_active))
      throw new NotFoundError(`DAG '${input.dagId}' not found`);
    if (sqlBool(dag.records[0].is_draining))
      throw new StateConflictError(
        `DAG '${input.dagId}' is draining (paused with --drain): ` +
          `it takes no new backfill until 'dagctl dags unpause ${input.dagId}'`,
      );
    // Take the DAG row's lock (PostgreSQL; SQLite holds the write lock already), so two processes
    // recording backfills of one DAG check for overlaps one after the other.
    await execSql(m, `UPDATE dag SET dag_id = dag_id WHERE dag_id = ?`, [input.dagId]);
    const open = await execSql<{ id: number }>(
      m,
      `SELECT id FROM backfill WHERE dag_id = ? AND completed_at IS NULL AND from_date <= ? AND to_date >= ?`,
      [input.dagId, input.toDate.toISOString(), input.fromDate.toISOString()],
    );
    if (open.records.length)
      throw new StateConflictError(
        `DAG '${input.dagId}' already has a backfill in progress over these dates (id ${open.records[0].id}): ` +
          `wait for it or 'dagctl backfill cancel ${open.records[0].id}'`,
      );
    const inserted = await execSql<{ id: number }>(
      m,
      `INSERT INTO backfill (dag_id, from_date, to_date, reverse, max_active_runs, rerun_failed_tasks, reset_dagruns,
         dag_run_conf, is_paused, cancelled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        input.dagId,
        input.fromDate.toISOString(),
        input.toDate.toISOString(),
        input.reverse,
        input.maxActiveRuns,
        input.rerunFailedTasks,
        input.resetDagruns,
        input.dagRunConf ? JSON.stringify(input.dagRunConf) : null,
        false,
        false,
        now.toISOString(),
        now.toISOString(),
      ],
    );
    const id = Number(inserted.records[0].id);
    const ordered = input.reverse ? [...input.intervals].reverse() : input.intervals;
    for (let i = 0; i < ordered.length; i += PLAN_CHUNK) {
      const part = ordered.slice(i, i + PLAN_CHUNK);
      await execSql(
        m,
        `INSERT INTO backfill_dag_run (backfill_id, logical_date, data_interval_start, data_interval_end, sort_ordinal)
         VALUES ${placeholders(part.length, 5)}`,
        part.flatMap((iv, j) => [
          id,
          iv.logicalDate.toISOString(),
          iv.start.toISOString(),
          iv.end.toISOString(),
          i + j + 1,
        ]),
      );
    }
    return id;
  });
}

interface BackfillRow {
  id: number;
  dag_id: string;
  max_active_runs: number;
  rerun_failed_tasks: unknown;
  reset_dagruns: unknown;
  dag_run_conf: string | null;
}

interface PlanRow {
  id: number;
  logical_date: string;
  data_interval_start: string;
  data_interval_end: string;
}

export interface AdvanceResult {
  /** Runs created or cleared (queued) by this step. */
  queued: number;
  /** The backfill completed in this step. */
  completed: boolean;
}

/**
 * One scheduler step of one backfill: while fewer than `max_active_runs` of its runs are queued or
 * running, handle the next dates of its plan in order — create the run, or (for a date that
 * already has a finished run) clear it with `--reset-dagruns` / `--rerun-failed-tasks`, or skip
 * it. Completes the backfill when its plan is done and none of its runs is active.
 *
 * Guarded and idempotent: the first statement moves the backfill row only while it is neither
 * paused nor completed, taking its row lock (PostgreSQL) or the write lock (SQLite), so two
 * schedulers advance one backfill one after the other; each plan row moves once (`outcome IS
 * NULL`), and the run insert skips a run that exists.
 */
export async function advanceBackfill(ds: DataSource, backfillId: number, now: Date): Promise<AdvanceResult> {
  return runInTransaction(ds, async (m) => {
    const result: AdvanceResult = { queued: 0, completed: false };
    const locked = await execSql(
      m,
      `UPDATE backfill SET updated_at = ? WHERE id = ? AND completed_at IS NULL AND is_paused = ?`,
      [now.toISOString(), backfillId, false],
    );
    if (locked.affected === 0) return result;
    const backfill = (
      await execSql<BackfillRow>(
        m,
        `SELECT id, dag_id, max_active_runs, rerun_failed_tasks, reset_dagruns, dag_run_conf
         FROM backfill WHERE id = ?`,
        [backfillId],
      )
    ).records[0];
    const dag = await execSql<{ is_draining: unknown; is_active: unknown }>(
      m,
      `SELECT is_draining, is_active FROM dag WHERE dag_id = ?`,
      [backfill.dag_id],
    );
    // A draining pause promises no new run: the backfill waits until the DAG is unpaused.
    const mayCreate =
      dag.records.length > 0 && sqlBool(dag.records[0].is_active) && !sqlBool(dag.records[0].is_draining);
    let active = await activeRuns(m, backfillId);
    while (mayCreate && active < Number(backfill.max_active_runs)) {
      const next = await execSql<PlanRow>(
        m,
        `SELECT id, logical_date, data_interval_start, data_interval_end FROM backfill_dag_run
         WHERE backfill_id = ? AND outcome IS NULL ORDER BY sort_ordinal LIMIT 1`,
        [backfillId],
      );
      if (!next.records.length) break;
      const handled = await handlePlanRow(m, backfill, next.records[0], now);
      if (handled) {
        active += 1;
        result.queued += 1;
      }
    }
    if (active === 0) result.completed = await completeIfDone(m, backfillId, now);
    return result;
  });
}

async function activeRuns(m: EntityManager, backfillId: number): Promise<number> {
  const { records } = await execSql<{ n: number | string }>(
    m,
    `SELECT COUNT(*) AS n FROM dag_run WHERE backfill_id = ? AND state IN (?, ?)`,
    [backfillId, ...ACTIVE_RUN_STATES],
  );
  return Number(records[0].n);
}

/** Plan done and nothing active: completed (guarded: only once). */
async function completeIfDone(m: EntityManager, backfillId: number, now: Date): Promise<boolean> {
  const pending = await execSql<{ n: number | string }>(
    m,
    `SELECT COUNT(*) AS n FROM backfill_dag_run WHERE backfill_id = ? AND outcome IS NULL`,
    [backfillId],
  );
  if (Number(pending.records[0].n) > 0) return false;
  const done = await execSql(m, `UPDATE backfill SET completed_at = ? WHERE id = ? AND completed_at IS NULL`, [
    now.toISOString(),
    backfillId,
  ]);
  return done.affected > 0;
}

async function settlePlanRow(
  m: EntityManager,
  planId: number,
  outcome: 'created' | 'cleared' | 'skipped',
  runId: string | null,
  reason: string | null,
): Promise<void> {
  await execSql(
    m,
    `UPDATE backfill_dag_run SET outcome = ?, dag_run_id = ?, exception_reason = ? WHERE id = ? AND outcome IS NULL`,
    [outcome, runId, reason, planId],
  );
}

/** Create, clear or skip the run of one planned date; true when a run was queued. */
async function handlePlanRow(m: EntityManager, backfill: BackfillRow, plan: PlanRow, now: Date): Promise<boolean> {
  const existing = await execSql<{ run_id: string; state: string }>(
    m,
    `SELECT run_id, state FROM dag_run WHERE dag_id = ? AND logical_date = ?`,
    [backfill.dag_id, plan.logical_date],
  );
  if (!existing.records.length) {
    const serialized = await execSql<{ dag_hash: string; data: string }>(
      m,
      `SELECT dag_hash, data FROM serialized_dag WHERE dag_id = ?`,
      [backfill.dag_id],
    );
    const runId = `backfill__${new Date(plan.logical_date).toISOString()}`;
    const created = await createDagRun(
      m,
      {
        dagId: backfill.dag_id,
        runId,
        logicalDate: new Date(plan.logical_date),
        dataIntervalStart: new Date(plan.data_interval_start),
        dataIntervalEnd: new Date(plan.data_interval_end),
        runType: DagRunType.BACKFILL,
        externalTrigger: false,
        conf: backfill.dag_run_conf ? (JSON.parse(backfill.dag_run_conf) as Record<string, unknown>) : {},
        dagHash: serialized.records[0]?.dag_hash ?? null,
        deadline: serialized.records.length
          ? (JSON.parse(serialized.records[0].data) as SerializedDag).deadline
          : undefined,
        backfillId: backfill.id,
      },
      now,
    );
    await settlePlanRow(
      m,
      plan.id,
      created ? 'created' : 'skipped',
      created ? runId : null,
      created ? null : 'a run with its id exists',
    );
    return created;
  }
  const run = existing.records[0];
  if (ACTIVE_RUN_STATES.includes(run.state)) {
    await settlePlanRow(m, plan.id, 'skipped', run.run_id, 'its run is in flight');
    return false;
  }
  let onlyStates: string[] | null = null;
  if (!sqlBool(backfill.reset_dagruns)) {
    if (!sqlBool(backfill.rerun_failed_tasks)) {
      await settlePlanRow(m, plan.id, 'skipped', run.run_id, 'a run exists at this logical date');
      return false;
    }
    onlyStates = [TaskState.FAILED, TaskState.UPSTREAM_FAILED];
  }
  const cleared = await clearRunForBackfill(m, backfill, run.run_id, onlyStates, now);
  if (!cleared) {
    await settlePlanRow(m, plan.id, 'skipped', run.run_id, 'its run has no failed task');
    return false;
  }
  await settlePlanRow(m, plan.id, 'cleared', run.run_id, null);
  return true;
}

/**
 * Clear a finished run's task instances (only those in `onlyStates` when given), queue the run
 * again and make it the backfill's. False when there was nothing to clear.
 */
async function clearRunForBackfill(
  m: EntityManager,
  backfill: BackfillRow,
  runId: string,
  onlyStates: string[] | null,
  now: Date,
): Promise<boolean> {
  const tis = await execSql<{ task_id: string }>(
    m,
    onlyStates
      ? `SELECT DISTINCT task_id FROM task_instance WHERE dag_id = ? AND run_id = ? AND state IN (${onlyStates
          .map(() => '?')
          .join(', ')})`
      : `SELECT DISTINCT task_id FROM task_instance WHERE dag_id = ? AND run_id = ?`,
    [backfill.dag_id, runId, ...(onlyStates ?? [])],
  );
  if (!tis.records.length) return false;
  const serialized = await execSql<{ data: string }>(m, `SELECT data FROM serialized_dag WHERE dag_id = ?`, [
    backfill.dag_id,
  ]);
  const dag = serialized.records.length ? (JSON.parse(serialized.records[0].data) as SerializedDag) : null;
  for (const { task_id: taskId } of tis.records) {
    const task = {
      dagId: backfill.dag_id,
      taskId,
      runIds: [runId],
      retries: dag?.tasks.find((t) => t.taskId === taskId)?.retries,
    };
    await clearTaskInstanceStates(m, task, now);
    await restartActiveTaskInstances(m, task, now);
  }
  const requeued = await requeueFinishedDagRuns(m, backfill.dag_id, [runId], now);
  if (requeued === 0) return false;
  await execSql(m, `UPDATE dag_run SET backfill_id = ? WHERE dag_id = ? AND run_id = ?`, [
    backfill.id,
    backfill.dag_id,
    runId,
  ]);
  return true;
}

/** Pause or unpause a backfill that is not completed; true when it moved. */
export async function setBackfillPaused(
  ds: DataSource,
  backfillId: number,
  paused: boolean,
  now: Date,
): Promise<boolean> {
  const moved = await execSql(
    ds,
    `UPDATE backfill SET is_paused = ?, updated_at = ? WHERE id = ? AND completed_at IS NULL AND is_paused = ?`,
    [paused, now.toISOString(), backfillId, !paused],
  );
  return moved.affected > 0;
}

/**
 * Airflow 3's cancel: the backfill is completed (and paused) at once, so no new run is created, and
 * its queued runs — not started, so holding no task instance — are failed. Running runs finish.
 * Returns the number of runs failed, or null when the backfill was already completed.
 */
export async function cancelBackfill(ds: DataSource, backfillId: number, now: Date): Promise<number | null> {
  return runInTransaction(ds, async (m) => {
    const moved = await execSql(
      m,
      `UPDATE backfill SET completed_at = ?, cancelled = ?, is_paused = ?, updated_at = ?
       WHERE id = ? AND completed_at IS NULL`,
      [now.toISOString(), true, true, now.toISOString(), backfillId],
    );
    if (moved.affected === 0) return null;
    const failed = await execSql(
      m,
      `UPDATE dag_run SET state = 'failed', end_date = ?, updated_at = ? WHERE backfill_id = ? AND state = 'queued'`,
      [now.toISOString(), now.toISOString(), backfillId],
    );
    return failed.affected;
  });
}
