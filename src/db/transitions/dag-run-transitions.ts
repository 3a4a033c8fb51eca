import type { DataSource, EntityManager } from 'typeorm';
import { DagRunState, DagRunType } from '../../core/states';
import { DagRunEntity } from '../entities';
import { chunk, execSql } from '../sql';
import type { RunRef } from './task-instance-transitions';
import type { SerializedDeadline } from '../../core/serialized-dag';
import { createDeadline } from './callback-transitions';

/**
 * Every change of a DAG run's state is one of these named, guarded transitions (see
 * task-instance-transitions.ts): the WHERE names the states a run may leave, and the result says
 * whether (or how many) rows moved.
 */

export interface NewDagRun {
  dagId: string;
  runId: string;
  logicalDate: Date;
  dataIntervalStart: Date | null;
  dataIntervalEnd: Date | null;
  runType: DagRunType;
  externalTrigger: boolean;
  conf: Record<string, unknown> | null;
  dagHash: string | null;
  /** The process that drives the run itself (`dags test`); absent: the schedulers drive it. */
  owner?: RunOwner;
  /** The DAG's deadline alert: the run's deadline is stored with it. */
  deadline?: SerializedDeadline;
  /** A TriggerDagRunOperator's task instance (`<dag_id>/<run_id>/<task_id>`) that created the run. */
  triggeredByTask?: string;
  /** The backfill creating this run. */
  backfillId?: number;
}

export interface RunOwner {
  hostname: string;
  pid: number;
}

/**
 * Insert a queued run unless one with the same run_id or logical date exists (unique keys), so a
 * restart or a second scheduler never creates a run twice. Returns true when this call created it.
 */
export async function createDagRun(m: EntityManager, run: NewDagRun, now: Date): Promise<boolean> {
  const result = await execSql(
    m,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, data_interval_start, data_interval_end, state, run_type,
       external_trigger, conf, queued_at, dag_hash, updated_at, owner_hostname, owner_pid, triggered_by_task,
       backfill_id)
     VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      run.dagId,
      run.runId,
      run.logicalDate.toISOString(),
      run.dataIntervalStart?.toISOString() ?? null,
      run.dataIntervalEnd?.toISOString() ?? null,
      run.runType,
      run.externalTrigger,
      run.conf ? JSON.stringify(run.conf) : null,
      now.toISOString(),
      run.dagHash,
      now.toISOString(),
      run.owner?.hostname ?? null,
      run.owner?.pid ?? null,
      run.triggeredByTask ?? null,
      run.backfillId ?? null,
    ],
  );
  if (result.affected > 0 && run.deadline) await createDeadline(m, run, run.deadline, now);
  return result.affected > 0;
}

/** queued → running; `lateSeconds`: how late a scheduled run starts (null: on time). */
export async function markDagRunRunning(
  m: EntityManager,
  id: number,
  now: Date,
  lateSeconds: number | null = null,
): Promise<boolean> {
  const result = await execSql(
    m,
    `UPDATE dag_run SET state = 'running', start_date = COALESCE(start_date, ?), end_date = NULL, updated_at = ?,
       late_seconds = COALESCE(late_seconds, ?)
     WHERE id = ? AND state = 'queued'`,
    [now.toISOString(), now.toISOString(), lateSeconds, id],
  );
  return result.affected > 0;
}

/** running → success|failed, decided from the leaves. */
export async function markDagRunFinished(
  m: EntityManager,
  id: number,
  state: typeof DagRunState.SUCCESS | typeof DagRunState.FAILED,
  now: Date,
  note: string | null = null,
): Promise<boolean> {
  const result = await execSql(
    m,
    `UPDATE dag_run SET state = ?, end_date = ?, updated_at = ?, note = COALESCE(?, note)
     WHERE id = ? AND state = 'running'`,
    [state, now.toISOString(), now.toISOString(), note, id],
  );
  return result.affected > 0;
}

/**
 * queued|running → failed: a run driven by its own process (`dags test`) whose process is gone.
 * Guarded by that owner too, so a run taken over in between is left alone.
 */
export async function markAbandonedDagRunFailed(
  m: EntityManager,
  id: number,
  owner: RunOwner,
  reason: string,
  now: Date,
): Promise<boolean> {
  const result = await execSql(
    m,
    `UPDATE dag_run SET state = 'failed', end_date = ?, updated_at = ?, note = ?
     WHERE id = ? AND state IN ('queued', 'running') AND owner_hostname = ? AND owner_pid = ?`,
    [now.toISOString(), now.toISOString(), reason, id, owner.hostname, owner.pid],
  );
  return result.affected > 0;
}

/**
 * The runs the scheduler is about to examine: it looks at the least recently examined running
 * runs first, so no run starves. Not a state change, but a write of dag_run all the same.
 */
export async function touchSchedulingDecisions(
  db: DataSource | EntityManager,
  ids: number[],
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await execSql(db, `UPDATE dag_run SET last_scheduling_decision = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
    now.toISOString(),
    ...ids,
  ]);
}

/**
 * Clearing task instances: their finished (success|failed) runs → queued, as if never started,
 * so the scheduler runs the cleared tasks again. Returns runs moved.
 */
export async function requeueFinishedDagRuns(
  tx: EntityManager,
  dagId: string,
  runIds: string[],
  now: Date,
): Promise<number> {
  let moved = 0;
  for (const part of chunk(runIds, 400)) {
    const result = await tx
      .createQueryBuilder()
      .update(DagRunEntity)
      .set({
        state: DagRunState.QUEUED,
        queuedAt: now,
        startDate: null,
        endDate: null,
        lastSchedulingDecision: null,
        updatedAt: now,
      })
      .where('dag_id = :dagId AND run_id IN (:...runIds)', { dagId, runIds: part })
      .andWhere('state IN (:...finished)', { finished: [DagRunState.SUCCESS, DagRunState.FAILED] })
      .execute();
    moved += result.affected ?? 0;
  }
  return moved;
}

/** The states a user may mark a run with ("mark run as"). */
export type HandMarkedDagRunState = typeof DagRunState.SUCCESS | typeof DagRunState.FAILED | typeof DagRunState.QUEUED;

/**
 * A user's "mark run as": any other state → `state`. Success and failed finish the run now;
 * queued sets it back to be started again (no start or end, examined afresh). Returns whether the
 * run moved (false: it already was in that state).
 */
export async function markDagRunByHand(
  tx: EntityManager,
  run: RunRef,
  state: HandMarkedDagRunState,
  now: Date,
): Promise<boolean> {
  const result = await tx
    .createQueryBuilder()
    .update(DagRunEntity)
    .set(
      state === DagRunState.QUEUED
        ? { state, queuedAt: now, startDate: null, endDate: null, lastSchedulingDecision: null, updatedAt: now }
        : { state, endDate: now, updatedAt: now },
    )
    .where('dag_id = :dagId AND run_id = :runId AND state <> :target', { ...run, target: state })
    .execute();
  return (result.affected ?? 0) > 0;
}
