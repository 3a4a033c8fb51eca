import type { EntityManager } from 'typeorm';
import { DagRunState, DagRunType } from '../../core/states';
import { execSql } from '../sql';

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
}

/**
 * Insert a queued run unless one with the same run_id or logical date exists (unique keys), so a
 * restart or a second scheduler never creates a run twice. Returns true when this call created it.
 */
export async function createDagRun(m: EntityManager, run: NewDagRun, now: Date): Promise<boolean> {
  const result = await execSql(
    m,
    `INSERT INTO dag_run (dag_id, run_id, logical_date, data_interval_start, data_interval_end, state, run_type,
       external_trigger, conf, queued_at, dag_hash, updated_at)
     VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
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
    ],
  );
  return result.affected > 0;
}

/** queued → running. */
export async function markDagRunRunning(m: EntityManager, id: number, now: Date): Promise<boolean> {
  const result = await execSql(
    m,
    `UPDATE dag_run SET state = 'running', start_date = COALESCE(start_date, ?), end_date = NULL, updated_at = ?
     WHERE id = ? AND state = 'queued'`,
    [now.toISOString(), now.toISOString(), id],
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

export async function touchSchedulingDecision(m: EntityManager, id: number, now: Date): Promise<void> {
  await execSql(m, `UPDATE dag_run SET last_scheduling_decision = ? WHERE id = ?`, [now.toISOString(), id]);
}
