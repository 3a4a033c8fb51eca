import type { DataSource, EntityManager } from 'typeorm';
import { deadlineFor } from '../../core/deadline-time';
import type { SerializedDeadline } from '../../core/serialized-dag';
import { execSql } from '../sql';

/**
 * Callback requests and deadlines, as guarded transitions (see task-instance-transitions.ts). A
 * request is written in the same transaction as the change that calls for it (a run finishing, a
 * deadline found missed); a callback runner claims it pending → running with a guarded update, so
 * exactly one runner of any scheduler runs it, then marks it success or failed.
 */

export type CallbackKind = 'dag_success' | 'dag_failure' | 'deadline_missed';

export interface NewCallbackRequest {
  dagId: string;
  runId: string;
  kind: CallbackKind;
  /** JSON-able facts of the moment (the run's final state, the deadline). */
  context: Record<string, unknown>;
}

export async function requestCallback(m: EntityManager, request: NewCallbackRequest, now: Date): Promise<void> {
  await execSql(
    m,
    `INSERT INTO callback_request (dag_id, run_id, kind, state, context, created_at) VALUES (?, ?, ?, 'pending', ?, ?)`,
    [request.dagId, request.runId, request.kind, JSON.stringify(request.context), now.toISOString()],
  );
}

/** pending → running for this claimant; false when another runner claimed it first. */
export async function claimCallbackRequest(
  db: DataSource | EntityManager,
  id: number,
  claimant: string,
  now: Date,
): Promise<boolean> {
  const result = await execSql(
    db,
    `UPDATE callback_request SET state = 'running', claimed_by = ?, claimed_at = ? WHERE id = ? AND state = 'pending'`,
    [claimant, now.toISOString(), id],
  );
  return result.affected > 0;
}

/** running → success|failed, by the runner that claimed it. */
export async function finishCallbackRequest(
  db: DataSource | EntityManager,
  id: number,
  claimant: string,
  outcome: { ok: boolean; error: string | null },
  now: Date,
): Promise<boolean> {
  const result = await execSql(
    db,
    `UPDATE callback_request SET state = ?, error = ?, finished_at = ?
     WHERE id = ? AND state = 'running' AND claimed_by = ?`,
    [outcome.ok ? 'success' : 'failed', outcome.error, now.toISOString(), id, claimant],
  );
  return result.affected > 0;
}

/** A new run's deadline (inserted with the run; a run keeps one deadline). */
export async function createDeadline(
  m: EntityManager,
  run: { dagId: string; runId: string; logicalDate: Date },
  deadline: SerializedDeadline,
  now: Date,
): Promise<void> {
  const at = deadlineFor(deadline, { logicalDate: run.logicalDate, queuedAt: now });
  if (!at) return;
  await execSql(
    m,
    `INSERT INTO deadline (dag_id, run_id, deadline_time, has_callback) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [run.dagId, run.runId, at.toISOString(), deadline.hasCallback],
  );
}

/** not missed → missed; false when another scheduler recorded the miss first. */
export async function markDeadlineMissed(m: EntityManager, id: number, now: Date): Promise<boolean> {
  const result = await execSql(m, `UPDATE deadline SET missed_at = ? WHERE id = ? AND missed_at IS NULL`, [
    now.toISOString(),
    id,
  ]);
  return result.affected > 0;
}
