import { DagEntity } from '../db/entities';
import { recordAuditEvent } from './audit-log';
import { requireDag } from './require-dag';
import type { ServiceContext } from './service-context';
import { runInTransaction } from '../db/transaction';

export interface SetDagPausedResult {
  dagId: string;
  isPaused: boolean;
  /** Paused with `drain`: no new run, running runs finish. Always false when not paused. */
  isDraining: boolean;
  /** False when the DAG already was in the requested state. */
  changed: boolean;
}

/**
 * Pause or unpause a DAG. A plain pause (Airflow's) creates no run and stops the running runs
 * from queueing tasks; `drain` creates no run either (manual triggers are refused too) but lets
 * the running runs finish. Pausing a paused DAG with the other mode switches mode; unpausing
 * clears both. Guarded: only a row not already in the requested state moves.
 */
export async function setDagPaused(
  ctx: ServiceContext,
  dagId: string,
  paused: boolean,
  actor?: string,
  options: { drain?: boolean } = {},
): Promise<SetDagPausedResult> {
  const draining = paused && options.drain === true;
  return runInTransaction(ctx.dataSource, async (tx) => {
    await requireDag(tx, dagId);
    const result = await tx
      .createQueryBuilder()
      .update(DagEntity)
      .set({ isPaused: paused, isDraining: draining })
      .where('dag_id = :dagId AND NOT (is_paused = :paused AND is_draining = :draining)', { dagId, paused, draining })
      .execute();
    const changed = (result.affected ?? 0) > 0;
    const event = draining ? 'paused (draining)' : paused ? 'paused' : 'unpaused';
    if (changed) await recordAuditEvent(tx, ctx.clock, { event, dagId, actor: actor ?? ctx.actor });
    return { dagId, isPaused: paused, isDraining: draining, changed };
  });
}
